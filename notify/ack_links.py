"""Short signed links that let one responder act on one thing without logging in.

    SCHOOL_NOTICE = ShortLinks(salt="school-ack", path="/a/")   # a school's notice
    links.make(revision_id, school_id) -> "1b-2k.Xy…"; links.read(token) -> (revision_id, school_id)
    links.link(revision_id, school_id) -> "https://…/a/1b-2k.Xy…"

A token names its ids (base 36, joined by "-") and carries an HMAC-SHA256 of them, cut to 96 bits
so the link stays short in an SMS: a forger must guess online, one request at a time. Each use
has its own salt, so a token of one use is worthless at the other's address. A token carries no
expiry of its own: a link lives as long as what it names is in force, which only the database
knows.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, Signer
from itsdangerous.encoding import base64_encode
from itsdangerous.signer import HMACAlgorithm

SIGNATURE_BYTES = 12
MAX_TOKEN_CHARS = 80
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


class _ShortHMAC(HMACAlgorithm):
    def get_signature(self, key: bytes, value: bytes) -> bytes:
        return hmac.new(key, msg=value, digestmod=hashlib.sha256).digest()[:SIGNATURE_BYTES]


def b36(n: int) -> str:
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = _DIGITS[r] + out
        if n == 0:
            return out


@dataclass(frozen=True)
class ShortLinks:
    salt: str
    path: str  # "/a/": where the public site answers these tokens
    arity: int = 2  # how many ids a token names

    def _signer(self) -> Signer:
        return Signer(
            current_app.config["SECRET_KEY"], salt=self.salt, sep=".", algorithm=_ShortHMAC(hashlib.sha256)
        )

    def maker(self) -> Callable[..., str]:
        """make() for many tokens in a row (a publication's thousands): the key is derived once.
        The tokens are exactly the Signer's."""
        key = self._signer().derive_key()

        def make(*ids: int) -> str:
            if len(ids) != self.arity or any(i < 0 for i in ids):
                raise ValueError(f"{self.salt} links name {self.arity} non-negative ids")
            value = "-".join(map(b36, ids))
            digest = hmac.digest(key, value.encode(), "sha256")[:SIGNATURE_BYTES]
            return f"{value}.{base64_encode(digest).decode()}"

        return make

    def linker(self) -> Callable[..., str]:
        """link() for many links in a row."""
        base = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + self.path
        make = self.maker()
        return lambda *ids: base + make(*ids)

    def make(self, *ids: int) -> str:
        return self.maker()(*ids)

    def read(self, token: str) -> tuple[int, ...] | None:
        """The ids of an authentic token of this use; None for anything else."""
        if not token or len(token) > MAX_TOKEN_CHARS:
            return None
        try:
            value = self._signer().unsign(token).decode()
        except (BadSignature, UnicodeError):
            return None
        parts = value.split("-")
        if len(parts) != self.arity:
            return None
        try:
            return tuple(int(p, 36) for p in parts)
        except ValueError:
            return None

    def link(self, *ids: int) -> str:
        return self.linker()(*ids)


SCHOOL_NOTICE = ShortLinks(salt="school-ack", path="/a/")
ENTERPRISE_DUTY = ShortLinks(salt="enterprise-duty", path="/d/")
