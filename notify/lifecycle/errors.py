"""Errors the lifecycle raises; each carries a message fit to show the person who caused it."""

from __future__ import annotations


class LifecycleError(Exception):
    """Base class. `message` is a (lazy) translated string; `field` names a form field if any."""

    status_code = 409

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class TransitionNotAllowed(LifecycleError):
    pass


class NotPermitted(LifecycleError):
    status_code = 403


class StaleForm(LifecycleError):
    pass


class InvalidProposal(LifecycleError):
    status_code = 400

    def __init__(self, errors: dict[str, object]):
        first = next(iter(errors.values()))
        super().__init__(first, field=next(iter(errors)))
        self.errors = errors
