"""Where gateways report back: Twilio status callbacks and Aliyun SMS receipts.

Both are outside the session login and CSRF (gateways cannot hold either); each is
authenticated by its own gateway's scheme instead, and refused with 403 when that fails.
"""
from notify.callbacks.views import bp

__all__ = ["bp"]
