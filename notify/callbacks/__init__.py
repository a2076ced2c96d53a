"""Where gateways report back: Twilio status callbacks, Aliyun SMS receipts and replies.

Both are outside the session login and CSRF (gateways cannot hold either); each is
authenticated by its own gateway's scheme instead, and refused with 403 when that fails.
"""

from notify.callbacks import uplink  # noqa: E402,F401  (Aliyun's uplink SMS, on the same blueprint)
from notify.callbacks.views import bp

__all__ = ["bp"]
