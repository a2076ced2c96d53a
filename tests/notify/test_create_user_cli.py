"""`flask create-user` holds new passwords to the same policy as the console."""

from __future__ import annotations

from sqlalchemy import select

from notify.extensions import db
from notify.models import User


def _create(app, password: str):
    args = ["create-user", "--jurisdiction", "140322", "--username", "admin2", "--name", "管理员"]
    args += ["--role", "admin", "--password", password]
    return app.test_cli_runner().invoke(args=args)


def test_a_weak_password_is_refused(app, sample_jurisdiction):
    result = _create(app, "password123")
    assert result.exit_code != 0 and "Error" in result.output  # the reason, in the default language
    assert db.session.scalar(select(User).where(User.username == "admin2")) is None


def test_a_good_password_creates_the_user(app, sample_jurisdiction):
    result = _create(app, "Hongse-yujing-2026")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User).where(User.username == "admin2")) is not None
