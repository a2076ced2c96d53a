"""Settings come from environment variables; every one has a safe default for the demo.

NOTIFY_ENV says what kind of installation this is: `production` (when unset), `demo` (`make run`:
the local stand-ins, secrets generated once into instance/) or `test` (the suite: fixed,
throw-away secrets, nothing written). Production must set every secret: the app refuses to start
without them (notify.settings_check).
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

MODES = ("demo", "test", "production")
# Fixed in the test mode so that the suite's child processes (`flask scheduler`, workers) share
# them with the test process; they protect nothing and serve nowhere else.
TEST_SECRETS = {
    "SECRET_KEY": "test-mode-secret-key-not-for-use",
    "TIPOFF_ENCRYPTION_KEY": base64.urlsafe_b64encode(b"test-mode-tipoff-key-not-for-use").decode(),
}
# Where the stand-ins of sandbox/ listen: the demo and the tests may post robots and webhooks there.
LOCAL_STANDIN_HOSTS = "127.0.0.1"


class SettingsError(RuntimeError):
    """The app cannot start with these settings; the message says what to change."""


def mode(override: str | None = None) -> str:
    """The installation's mode: the app factory's override, else NOTIFY_ENV, else production."""
    value = (override or os.environ.get("NOTIFY_ENV") or "production").strip().lower()
    if value not in MODES:
        raise SettingsError(f"NOTIFY_ENV must be one of {', '.join(MODES)}, not {value!r}")
    return value


def _database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{Path(instance_path) / 'notify.sqlite3'}"
    # Hosting panels hand out postgres:// or postgresql:// URLs; we speak psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _kept_secret(instance_path: str, variable: str, filename: str, make, mode: str) -> str:
    """A secret from the environment; else, in the demo only, one generated once and kept in
    instance/; in the tests a fixed one; in production none (the start-up check refuses that).

    Keeping it in instance/ (never committed) means the demo survives a restart without anyone
    having to invent a key. Production never falls back to that file: a key lying beside the
    database is taken with it.
    """
    key = os.environ.get(variable)
    if key:
        return key
    if mode == "test":
        return TEST_SECRETS[variable]
    if mode != "demo":
        return ""
    path = Path(instance_path) / filename
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


def _secret_key(instance_path: str, mode: str) -> str:
    """SECRET_KEY signs sessions and form tokens."""
    return _kept_secret(instance_path, "SECRET_KEY", "secret_key", lambda: secrets.token_hex(32), mode)


def _tipoff_key(instance_path: str, mode: str) -> str:
    """TIPOFF_ENCRYPTION_KEY (a Fernet key) encrypts tip-off reporters' names and phones.

    Losing it makes them unreadable, so back it up apart from the database backups (a stolen
    database alone must not reveal reporters).
    """
    return _kept_secret(
        instance_path,
        "TIPOFF_ENCRYPTION_KEY",
        "tipoff_key",
        lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        mode,
    )


def load(instance_path: str, mode: str = "production") -> dict:
    return {
        "NOTIFY_ENV": mode,
        "SECRET_KEY": _secret_key(instance_path, mode),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BABEL_DEFAULT_LOCALE": os.environ.get("DEFAULT_LOCALE", "zh_CN"),
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("DISPLAY_TIMEZONE", "Asia/Shanghai"),
        "LANGUAGES": ("zh_CN", "en"),
        # The jurisdiction this installation serves (GB/T 2260 code); the public site shows it.
        "JURISDICTION_CODE": os.environ.get("JURISDICTION_CODE", "140322"),
        # Where the public site and the console say they live (used in printed links).
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        "WTF_CSRF_TIME_LIMIT": None,  # a long approval read must not expire the form
        # Plan §4.2.2: approval form within 1 h of the consultation, publication within 2 h of approval.
        "DEADLINE_APPROVAL_FORM_MINUTES": int(os.environ.get("DEADLINE_APPROVAL_FORM_MINUTES", "60")),
        "DEADLINE_PUBLICATION_MINUTES": int(os.environ.get("DEADLINE_PUBLICATION_MINUTES", "120")),
        # An open group (citizens subscribe themselves) may grow or shrink this much between
        # approval and publication; beyond it the approver must look again (issue 13).
        "AUDIENCE_OPEN_GROUP_TOLERANCE_PERCENT": float(
            os.environ.get("AUDIENCE_OPEN_GROUP_TOLERANCE_PERCENT", "10")
        ),
        # Tip-offs (issue 5): identity key, photo store, limits. Up to 3 photos of 10 MB each and
        # the text fields fit in one request; anything larger is refused before it is read.
        "TIPOFF_ENCRYPTION_KEY": _tipoff_key(instance_path, mode),
        "TIPOFF_PHOTO_DIR": os.environ.get("TIPOFF_PHOTO_DIR", str(Path(instance_path) / "tipoff_photos")),
        "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "TIPOFF_LIMIT_PER_IP": os.environ.get("TIPOFF_LIMIT_PER_IP", "10 per hour;30 per day"),
        "TIPOFF_LIMIT_PER_PHONE": os.environ.get("TIPOFF_LIMIT_PER_PHONE", "3 per hour;5 per day"),
        "TIPOFF_LIMIT_STATUS_PER_IP": os.environ.get("TIPOFF_LIMIT_STATUS_PER_IP", "30 per hour"),
        "TIPOFF_MIN_FILL_SECONDS": int(os.environ.get("TIPOFF_MIN_FILL_SECONDS", "5")),
        # Public site (issue 7): pages, feeds and CAP documents exported as static files after each
        # publication; the app serves them from memory. CAP_SENDER: the <sender> of CAP documents
        # (an address or domain of the issuing office; default CN + the county's GB/T 2260 code).
        # Unset: a folder that follows the database (notify/public/export_owner.py default_dir),
        # so a test's or a benchmark's database never writes over a live install's export.
        "PUBLIC_EXPORT_DIR": os.environ.get("PUBLIC_EXPORT_DIR", ""),
        # This web process runs the export runner: a thread, started with the first request, that
        # exports what publications and console edits asked for, retrying failures with backoff.
        "PUBLIC_EXPORT_ON_COMMIT": os.environ.get("PUBLIC_EXPORT_ON_COMMIT", "1") == "1",
        "PUBLIC_EXPORT_POLL_SECONDS": float(os.environ.get("PUBLIC_EXPORT_POLL_SECONDS", "0.5")),
        "PUBLIC_EXPORT_RETRY_BASE_SECONDS": float(os.environ.get("PUBLIC_EXPORT_RETRY_BASE_SECONDS", "2")),
        "PUBLIC_EXPORT_RETRY_CAP_SECONDS": float(os.environ.get("PUBLIC_EXPORT_RETRY_CAP_SECONDS", "300")),
        # A crashed exporter's lease runs out after this; another process may export then.
        "PUBLIC_EXPORT_LEASE_SECONDS": float(os.environ.get("PUBLIC_EXPORT_LEASE_SECONDS", "120")),
        "CAP_SENDER": os.environ.get("CAP_SENDER", ""),
        "CAP_IMPORT_MAX_BYTES": int(os.environ.get("CAP_IMPORT_MAX_BYTES", str(512 * 1024))),
        # Timed work (notify/scheduling): run jobs inside the app (the demo) or in `flask scheduler`.
        "SCHEDULER_IN_PROCESS": os.environ.get("SCHEDULER_IN_PROCESS", "0") == "1",
        "SCHEDULER_POLL_SECONDS": float(os.environ.get("SCHEDULER_POLL_SECONDS", "5")),
        # A job running this much after its time is audited as a late run.
        "SCHEDULER_LATE_SECONDS": int(os.environ.get("SCHEDULER_LATE_SECONDS", "60")),
        # Schools (issue 4): a school silent this long after its notice gets a reminder to its
        # duty contact; silent this much longer, the education bureau and its township are told.
        "SCHOOL_ACK_ESCALATE_MINUTES": float(os.environ.get("SCHOOL_ACK_ESCALATE_MINUTES", "30")),
        "SCHOOL_ACK_REPORT_MINUTES": float(os.environ.get("SCHOOL_ACK_REPORT_MINUTES", "30")),
        # Enterprises (issue 15): measures in place this long after the response starts (plan
        # §5.6: 2 h); an enterprise not in place by then is reminded, and this much later its
        # township and the ecology bureau get the list of those still not in place.
        "ENTERPRISE_DUTY_HOURS": float(os.environ.get("ENTERPRISE_DUTY_HOURS", "2")),
        "ENTERPRISE_ESCALATION_MINUTES": float(os.environ.get("ENTERPRISE_ESCALATION_MINUTES", "30")),
        # Duties whose SMS (own text, own signed link) an executor writes per round after the
        # publication's commit (notify.enterprises.duty_notices).
        "ENTERPRISE_NOTICE_CHUNK": int(os.environ.get("ENTERPRISE_NOTICE_CHUNK", "2000")),
        # The secret end of the uplink-SMS URL registered at Aliyun (like ALIYUN_RECEIPT_TOKEN).
        "ALIYUN_UPLINK_TOKEN": os.environ.get("ALIYUN_UPLINK_TOKEN", "sandbox-uplink-token"),
        # Timed work and records (issue 6): alerts this long before a §4.2.2 deadline passes, to
        # these robots (ids; empty = every county-level robot); daily report attachments' store.
        "ESCALATION_LEAD_MINUTES": int(os.environ.get("ESCALATION_LEAD_MINUTES", "15")),
        "ESCALATION_ROBOT_IDS": os.environ.get("ESCALATION_ROBOT_IDS", ""),
        "DAILY_REPORT_DIR": os.environ.get("DAILY_REPORT_DIR", str(Path(instance_path) / "daily_reports")),
        # Robots and partner webhooks may not point at private, loopback, link-local or reserved
        # addresses, except at these hosts (names or addresses, comma-separated).
        "OUTBOUND_ALLOWED_HOSTS": _hosts(
            os.environ.get("OUTBOUND_ALLOWED_HOSTS", "" if mode == "production" else LOCAL_STANDIN_HOSTS)
        ),
        **sign_in_settings(),
        **dispatch_settings(),
    }


def _hosts(value: str) -> frozenset[str]:
    return frozenset(h.strip().strip("[]").lower() for h in value.split(",") if h.strip())


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def sign_in_settings() -> dict:
    """Console sessions, log-in throttling and the password policy (issue 13)."""
    # Behind HTTPS (a public address on https://) the cookie is Secure unless told otherwise.
    https = _env("PUBLIC_BASE_URL", "").startswith("https://")
    return {
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _env("SESSION_COOKIE_SECURE", "1" if https else "0") == "1",
        # A console session ends after this long without a console request, and this long after
        # log-in whatever happens (notify/accounts/console_sessions.py).
        "SESSION_IDLE_MINUTES": float(_env("SESSION_IDLE_MINUTES", "30")),
        "SESSION_MAX_HOURS": float(_env("SESSION_MAX_HOURS", "12")),
        # Refused log-ins (wrong password or code) within the window that lock an account name,
        # and a client address, until the oldest of them leaves the window.
        "LOGIN_MAX_FAILURES_PER_ACCOUNT": int(_env("LOGIN_MAX_FAILURES_PER_ACCOUNT", "5")),
        "LOGIN_MAX_FAILURES_PER_IP": int(_env("LOGIN_MAX_FAILURES_PER_IP", "20")),
        "LOGIN_LOCKOUT_MINUTES": float(_env("LOGIN_LOCKOUT_MINUTES", "15")),
        "PASSWORD_MIN_LENGTH": int(_env("PASSWORD_MIN_LENGTH", "10")),
    }


def dispatch_settings() -> dict:
    """Executors, gateways and their limits. The defaults talk to the local stand-ins of
    sandbox/ (`python -m sandbox`); production sets the real endpoints and keys."""
    return {
        # threads: inside the app process (the default); celery: separate workers on Redis.
        "DISPATCH_EXECUTOR": _env("DISPATCH_EXECUTOR", "threads"),
        "DISPATCH_THREADS": int(_env("DISPATCH_THREADS", "2")),
        "CELERY_BROKER_URL": _env("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0"),
        "DISPATCH_BATCH_ALIYUN": int(_env("DISPATCH_BATCH_ALIYUN", "1000")),
        "DISPATCH_BATCH_TWILIO": int(_env("DISPATCH_BATCH_TWILIO", "50")),
        "DISPATCH_LEASE_SECONDS": int(_env("DISPATCH_LEASE_SECONDS", "60")),
        # How long a successor waits for the superseded message's delivery report at one address.
        "DISPATCH_ORDERING_HOLD_SECONDS": int(_env("DISPATCH_ORDERING_HOLD_SECONDS", "60")),
        "DISPATCH_MAX_ATTEMPTS": int(_env("DISPATCH_MAX_ATTEMPTS", "6")),
        "DISPATCH_RETRY_BASE_SECONDS": float(_env("DISPATCH_RETRY_BASE_SECONDS", "2")),
        "DISPATCH_RETRY_CAP_SECONDS": float(_env("DISPATCH_RETRY_CAP_SECONDS", "300")),
        # Staff-managed groups up to this many active recipients are written in the publish
        # transaction (responders); open groups and larger ones go to a dispatch plan.
        "DISPATCH_INLINE_GROUP_LIMIT": int(_env("DISPATCH_INLINE_GROUP_LIMIT", "2000")),
        # A plan is expanded this many recipient ids per transaction, under a lease this long.
        "DISPATCH_PLAN_CHUNK": int(_env("DISPATCH_PLAN_CHUNK", "20000")),
        "DISPATCH_PLAN_LEASE_SECONDS": int(_env("DISPATCH_PLAN_LEASE_SECONDS", "30")),
        "BREAKER_THRESHOLD": int(_env("BREAKER_THRESHOLD", "5")),
        "BREAKER_COOLDOWN_SECONDS": float(_env("BREAKER_COOLDOWN_SECONDS", "30")),
        "GATEWAY_TIMEOUT_SECONDS": float(_env("GATEWAY_TIMEOUT_SECONDS", "10")),
        # memory (one process) or a redis:// URL shared by every worker.
        "RATE_LIMIT_STORAGE": _env("RATE_LIMIT_STORAGE", "memory"),
        "RATE_ALIYUN": float(_env("RATE_ALIYUN", "2000")),
        "RATE_ALIYUN_UNIT": _env("RATE_ALIYUN_UNIT", "messages"),
        # Twilio allows about 10 segments a second per sender to other countries.
        "RATE_TWILIO": float(_env("RATE_TWILIO", "10")),
        "RATE_TWILIO_UNIT": _env("RATE_TWILIO_UNIT", "segments"),
        # Where gateways post status callbacks and receipts: this platform's public address.
        "CALLBACK_BASE_URL": _env("CALLBACK_BASE_URL", "http://127.0.0.1:5000"),
        "TWILIO_ACCOUNT_SID": _env("TWILIO_ACCOUNT_SID", "AC" + "0" * 32),
        "TWILIO_AUTH_TOKEN": _env("TWILIO_AUTH_TOKEN", "sandbox-twilio-token"),
        "TWILIO_FROM": _env("TWILIO_FROM", "+15005550006"),
        "TWILIO_BASE_URL": _env("TWILIO_BASE_URL", "http://127.0.0.1:5101"),
        # Twilio takes one message per API call; this many calls run at once per worker.
        "TWILIO_PARALLEL_CALLS": int(_env("TWILIO_PARALLEL_CALLS", "4")),
        "ALIYUN_ACCESS_KEY_ID": _env("ALIYUN_ACCESS_KEY_ID", "sandbox-key-id"),
        "ALIYUN_ACCESS_KEY_SECRET": _env("ALIYUN_ACCESS_KEY_SECRET", "sandbox-key-secret"),
        "ALIYUN_SMS_ENDPOINT": _env("ALIYUN_SMS_ENDPOINT", "http://127.0.0.1:5102"),
        "ALIYUN_SMS_SIGN_NAME": _env("ALIYUN_SMS_SIGN_NAME", "盂县应急指挥部"),
        "ALIYUN_SMS_TEMPLATE_CODE": _env("ALIYUN_SMS_TEMPLATE_CODE", "SMS_0000001"),
        # Twilio adds no signature: English texts through it start with [SMS_SIGNATURE_EN],
        # Chinese ones with 【ALIYUN_SMS_SIGN_NAME】 (notify/channels/sms_signature.py).
        "SMS_SIGNATURE_EN": _env("SMS_SIGNATURE_EN", "Yu County emergency command"),
        # The secret in the receipt URL configured at Aliyun (its pushes carry no signature).
        "ALIYUN_RECEIPT_TOKEN": _env("ALIYUN_RECEIPT_TOKEN", "sandbox-receipt-token"),
    }
