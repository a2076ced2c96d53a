"""WSGI entry point: `flask --app wsgi run`, or any WSGI server (gunicorn wsgi:app)."""

from notify import create_app

app = create_app()
