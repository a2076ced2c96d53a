"""The production start-up check: every secret set, none left at a value anyone can read.

The demo's defaults are public (they are in this repository): with them a forged Aliyun reply
confirms a school's notice and a forged Twilio callback marks an unsent message delivered. So
outside the demo and the tests the app refuses to start until each secret is set, and says in
one message everything that is missing, rather than one item per failed start.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping

from notify.config import SettingsError

MIN_SECRET_KEY = 16
# The URL tokens are path segments: a "/" or "%" would not survive the web server's decoding.
URL_TOKEN_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
MIN_URL_TOKEN = 16
# The public values config.py falls back to, which only the local stand-ins accept.
PUBLIC_DEFAULTS = {
    "TWILIO_AUTH_TOKEN": "sandbox-twilio-token",
    "ALIYUN_ACCESS_KEY_SECRET": "sandbox-key-secret",
    "ALIYUN_RECEIPT_TOKEN": "sandbox-receipt-token",
    "ALIYUN_UPLINK_TOKEN": "sandbox-uplink-token",
}


def problems(config: Mapping) -> list[str]:
    """What is wrong with the secrets of a production installation, one line per setting."""
    found = []
    secret_key = config.get("SECRET_KEY") or ""
    if not secret_key:
        found.append("SECRET_KEY: not set (instance/secret_key is generated for the demo only)")
    elif len(secret_key) < MIN_SECRET_KEY:
        found.append(f"SECRET_KEY: shorter than {MIN_SECRET_KEY} characters")
    tipoff_key = config.get("TIPOFF_ENCRYPTION_KEY") or ""
    if not tipoff_key:
        found.append("TIPOFF_ENCRYPTION_KEY: not set (instance/tipoff_key is generated for the demo only)")
    elif not _is_fernet_key(tipoff_key):
        found.append("TIPOFF_ENCRYPTION_KEY: not a Fernet key (32 bytes, URL-safe base64)")
    if config.get("TWILIO_ACCOUNT_SID"):
        found += _secret(config, "TWILIO_AUTH_TOKEN", "or set TWILIO_ACCOUNT_SID empty to run without Twilio")
    if config.get("ALIYUN_ACCESS_KEY_ID"):
        hint = "or set ALIYUN_ACCESS_KEY_ID empty to run without Aliyun SMS"
        found += _secret(config, "ALIYUN_ACCESS_KEY_SECRET", hint)
        found += _url_token(config, "ALIYUN_RECEIPT_TOKEN", hint)
        found += _url_token(config, "ALIYUN_UPLINK_TOKEN", hint)
    return found


def refuse_insecure(config: Mapping) -> None:
    """Raise SettingsError listing every problem, if there is any."""
    found = problems(config)
    if found:
        raise SettingsError(
            "The platform does not start in production with these settings:\n"
            + "\n".join(f"  - {line}" for line in found)
            + "\nSet them in the environment (see README, 'Running it for real'), "
            "or NOTIFY_ENV=demo for the demo on the local stand-ins."
        )


def _secret(config: Mapping, name: str, hint: str) -> list[str]:
    value = config.get(name) or ""
    if not value:
        return [f"{name}: not set ({hint})"]
    if value == PUBLIC_DEFAULTS.get(name):
        return [f"{name}: still the public sandbox value ({hint})"]
    return []


def _url_token(config: Mapping, name: str, hint: str) -> list[str]:
    found = _secret(config, name, hint)
    value = config.get(name) or ""
    if not found and (len(value) < MIN_URL_TOKEN or not set(value) <= URL_TOKEN_ALPHABET):
        found.append(f"{name}: must be {MIN_URL_TOKEN}+ characters of A-Z a-z 0-9 - _")
    return found


def _is_fernet_key(value: str) -> bool:
    try:
        return len(base64.urlsafe_b64decode(value.encode())) == 32
    except (binascii.Error, ValueError):
        return False
