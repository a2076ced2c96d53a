"""Member units during a response (plan §5.4, §5.6, §7.1): tasks when the response starts, a
daily report of the previous day's measures by 10:00, a reminder at 09:30, the office's
summary and missing list at 10:00, all kept per response day."""
