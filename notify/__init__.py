"""The county warning platform: app factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, session
from sqlalchemy import event

from notify import config, security_headers, settings_check
from notify.extensions import babel, csrf, db, limiter, login_manager, migrate
from notify.ids import IdConverter


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets the public site read while the console writes; foreign keys are off by default.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    mode = config.mode((overrides or {}).get("NOTIFY_ENV"))
    app.config.update(config.load(app.instance_path, mode))
    if overrides:
        app.config.update(overrides)
    if mode == "production":
        settings_check.refuse_insecure(app.config)
    # Before any blueprint adds its routes: every <int:…> is bounded to the database's integers.
    app.url_map.converters["int"] = IdConverter

    # The composition root imports the parts' blueprints and setup here, in the factory: importing
    # any notify module imports this package first, so the package itself imports none of them.
    from admin import bp as admin_bp
    from notify import api, cli, errors, i18n, scheduling
    from notify.accounts import console_sessions
    from notify.callbacks import bp as callbacks_bp
    from notify.daily_reports import setup as daily_reports_setup
    from notify.dispatch import after_publication
    from notify.dispatch import setup as dispatch_setup
    from notify.enterprises import duty_notices
    from notify.public import bp as public_bp
    from notify.screens.views import bp as screens_bp

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)
    babel.init_app(app, locale_selector=i18n.select_locale)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "admin.login"
    login_manager.login_message = i18n.LOGIN_MESSAGE

    @login_manager.user_loader
    def load_user(user_id: str):
        # Only a live server-side session logs the cookie's user in (log-out and the rest end it).
        return console_sessions.signed_in_user(user_id, session.get(console_sessions.SESSION_KEY))

    i18n.init_app(app)
    errors.init_app(app)
    cli.init_app(app)

    app.register_blueprint(public_bp)
    app.register_blueprint(callbacks_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(screens_bp)
    api.init_app(app)
    dispatch_setup.init_app(app)
    # What publications leave for the executors beyond the plans of notify.dispatch: registered
    # here, since dispatch cannot import the domain packages that import it.
    after_publication.register(duty_notices.WRITER)
    scheduling.init_app(app)
    daily_reports_setup.init_app(app)
    security_headers.install(app)  # last: outside the public site's static-export layer too
    return app
