"""A captcha drawn here with Pillow: the county's network reaches no outside captcha service.

The answer never leaves the server in clear. The session cookie (signed, but readable by its
holder) carries only a nonce and an HMAC of the answer under SECRET_KEY, and a nonce is spent
on its first check (recorded in the rate-limit storage, shared by all workers), so a solved
captcha cannot be replayed. Tests learn the answer through TIPOFF_CAPTCHA_HOOK, which is
honoured only when the app runs with TESTING set, so it cannot open a door in production.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import random
import secrets
import time

from flask import current_app, session
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from notify.extensions import limiter

# Characters read for one another on a small phone screen, once drawn rotated and blurred.
LOOK_ALIKES = ("0OQD", "1IlLJ", "2Z", "5S", "8B", "6G", "CG", "UV", "9gq")
# At most one character of each group above, and never a lower-case letter (the answer is
# compared upper-cased): nothing a reporter can mistake for another.
ALPHABET = "ACDEFHJKMNPRTUWXY34679"
LENGTH = 5
LIFETIME_SECONDS = 15 * 60
SESSION_KEY = "tipoff_captcha"


def _digest(nonce: str, answer: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{nonce}:{answer.upper()}".encode(), hashlib.sha256).hexdigest()


def issue() -> bytes:
    """A new challenge for this session; returns the PNG to show."""
    rng = secrets.SystemRandom()
    answer = "".join(rng.choice(ALPHABET) for _ in range(LENGTH))
    nonce = secrets.token_urlsafe(12)
    session[SESSION_KEY] = {"n": nonce, "d": _digest(nonce, answer), "t": int(time.time())}
    if current_app.config.get("TESTING"):
        hook = current_app.config.get("TIPOFF_CAPTCHA_HOOK")
        if hook is not None:
            hook(answer)
    return render(answer, rng)


def check(given: str | None) -> str | None:
    """None if `given` answers this session's challenge; otherwise the reason code.

    The challenge is spent either way: a wrong guess needs a new image.
    """
    challenge = session.pop(SESSION_KEY, None)
    if not challenge or not isinstance(challenge, dict):
        return "missing"
    if time.time() - int(challenge.get("t", 0)) > LIFETIME_SECONDS:
        return "expired"
    nonce = str(challenge.get("n", ""))
    if limiter.storage.incr(f"tipoff-captcha:{nonce}", LIFETIME_SECONDS) > 1:
        return "used"
    answer = "".join((given or "").split()).upper()
    if not answer or not hmac.compare_digest(_digest(nonce, answer), str(challenge.get("d", ""))):
        return "wrong"
    return None


def render(answer: str, rng: random.Random) -> bytes:
    width, height = 180, 64
    image = Image.new("RGB", (width, height), (245, 247, 250))
    draw = ImageDraw.Draw(image)
    for _ in range(6):  # lines across the text make segmentation harder
        draw.line(
            [(rng.randint(0, width), rng.randint(0, height)) for _ in range(2)],
            fill=(rng.randint(90, 180),) * 3,
            width=2,
        )
    font = ImageFont.load_default(size=34)
    x = 10
    for char in answer:
        glyph = Image.new("RGBA", (44, 56), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text(
            (6, 4), char, font=font, fill=(rng.randint(10, 90), rng.randint(10, 90), rng.randint(60, 140))
        )
        glyph = glyph.rotate(rng.uniform(-25, 25), resample=Image.Resampling.BICUBIC, expand=False)
        image.paste(glyph, (x, rng.randint(0, 8)), glyph)
        x += rng.randint(28, 33)
    for _ in range(250):
        draw.point((rng.randint(0, width - 1), rng.randint(0, height - 1)), fill=(rng.randint(0, 255),) * 3)
    image = image.filter(ImageFilter.SMOOTH)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
