"""The application object behind Flask's current_app proxy."""

from flask import Flask, current_app


def unproxied_app() -> Flask:
    """The app itself, for work that outlives the context: threads, jobs, commit hooks."""
    # Flask types the proxy as the app, so mypy does not know the proxy's own method.
    return current_app._get_current_object()  # type: ignore[attr-defined]
