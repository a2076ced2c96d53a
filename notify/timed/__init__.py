"""Timed work on warnings: deadline escalation (plan §4.2.2), the record of timed publications,
messages the jobs send.

The use cases schedule and cancel these jobs explicitly as each step happens
(notify.revision_steps, notify.publication, notify.scheduled_publication).
"""
