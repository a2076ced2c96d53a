"""`python -m sandbox.throughput`: how many messages a second the SMS stand-ins take from the
real SDKs on this machine (stand-ins in this process, callbacks and receipts off).

Prints one line per case; use it to know whether a benchmark measures the platform or the
stand-in.
"""

from __future__ import annotations

import argparse
import time

from twilio.rest import Client

from notify.channels.aliyun_sms import AliyunGateway
from notify.channels.base import Message
from notify.channels.twilio_sms import TwilioGateway
from sandbox.aliyun_standin import DEFAULT_ACCESS_KEYS, DEFAULT_SIGN_NAMES, DEFAULT_TEMPLATES, AliyunStandin
from sandbox.twilio_standin import TwilioStandin


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox.throughput")
    parser.add_argument("--twilio", type=int, default=2000, help="messages sent to the Twilio stand-in")
    parser.add_argument("--aliyun", type=int, default=50_000, help="numbers sent to the Aliyun stand-in")
    args = parser.parse_args()
    quiet = {"reports_enabled": False}

    twilio = TwilioStandin(**quiet).start()
    sdk = Client(twilio.account_sid, twilio.auth_token)
    sdk.api.base_url = twilio.url
    n = max(1, args.twilio // 4)
    started = time.perf_counter()
    for i in range(n):
        sdk.messages.create(to=f"+1415{i:07d}", from_="+15005550006", body="Red alert")
    naive = n / (time.perf_counter() - started)
    print(f"twilio  naive SDK loop (1 thread)          {n:>7} msgs  {naive:8.0f} msg/s")

    gateway = TwilioGateway(
        twilio.account_sid,
        twilio.auth_token,
        from_number="+15005550006",
        base_url=twilio.url,
        timeout=10,
        workers=4,
    )
    batch = gateway.max_batch
    messages = [Message(i, f"+1415{i:07d}", "Red alert") for i in range(args.twilio)]
    started = time.perf_counter()
    for i in range(0, len(messages), batch):
        gateway.send(messages[i : i + batch])
    rate = len(messages) / (time.perf_counter() - started)
    print(
        f"twilio  TwilioGateway.send ({gateway.workers} threads)    "
        f"{len(messages):>7} msgs  {rate:8.0f} msg/s"
    )
    gateway.close()
    twilio.stop()

    aliyun = AliyunStandin(**quiet).start()
    key_id, secret = next(iter(DEFAULT_ACCESS_KEYS.items()))
    gateway = AliyunGateway(
        key_id,
        secret,
        DEFAULT_SIGN_NAMES[0],
        next(iter(DEFAULT_TEMPLATES)),
        endpoint=f"http://{aliyun.endpoint}",
        timeout=10,
    )
    messages = [Message(i, f"+86138{i:08d}", "【盂县】重污染天气橙色预警") for i in range(args.aliyun)]
    started = time.perf_counter()
    for i in range(0, len(messages), gateway.max_batch):
        gateway.send(messages[i : i + gateway.max_batch])
    rate = len(messages) / (time.perf_counter() - started)
    print(f"aliyun  AliyunGateway.send (1,000 a call)  {len(messages):>7} msgs  {rate:8.0f} msg/s")
    aliyun.stop()


if __name__ == "__main__":
    main()
