"""Timed work on warnings: publication at a set time, deadline escalation (plan §4.2.2).

Importing notify.timed.watch subscribes to the lifecycle's state changes, so every path that
approves or publishes (console, API, demo seed, tests) schedules and cancels the same jobs.
"""
