"""Dispatch: the outbox a published revision writes, and the executors that drain it."""
