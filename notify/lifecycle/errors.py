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


class OverlapNotConfirmed(LifecycleError):
    """A warning of the same kind is in force over an overlapping area and the office has not
    confirmed that a second one is meant; `warnings` are the ones in force."""

    def __init__(self, message, warnings: list):
        super().__init__(message, field="confirm_overlap")
        self.errors = {"confirm_overlap": message}
        self.warnings = warnings


class AudienceChanged(LifecycleError):
    """The audience is no longer what the approver confirmed; `changes` say how, for the page."""

    def __init__(self, message, changes: list):
        super().__init__(message)
        self.changes = changes
