"""`python -m sandbox`: run the SMS, group-robot and partner-webhook stand-ins until Ctrl-C.

Reads the same environment variables as the platform (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN,
ALIYUN_ACCESS_KEY_ID, ALIYUN_ACCESS_KEY_SECRET, ALIYUN_SMS_SIGN_NAME, ALIYUN_SMS_TEMPLATE_CODE,
CALLBACK_BASE_URL, ALIYUN_RECEIPT_TOKEN), so that a `make run` with one environment wires both
sides together. See sandbox/README.md.
"""

from __future__ import annotations

import argparse
import os
import signal
import threading

from sandbox.aliyun_standin import DEFAULT_ACCESS_KEYS, DEFAULT_SIGN_NAMES, DEFAULT_TEMPLATES, AliyunStandin
from sandbox.robot_standins import DEMO_ROBOTS, RobotStandins
from sandbox.twilio_standin import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, TwilioStandin
from sandbox.webhook_receiver import DEMO_PARTNERS, WebhookReceiver


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    key_id, secret = next(iter(DEFAULT_ACCESS_KEYS.items()))
    callback_base = _env("CALLBACK_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    receipt_token = _env("ALIYUN_RECEIPT_TOKEN", "sandbox-receipt-token")
    uplink_token = _env("ALIYUN_UPLINK_TOKEN", "sandbox-uplink-token")
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=_env("SANDBOX_HOST", "127.0.0.1"))
    parser.add_argument("--twilio-port", type=int, default=int(_env("SANDBOX_TWILIO_PORT", "5101")))
    parser.add_argument("--aliyun-port", type=int, default=int(_env("SANDBOX_ALIYUN_PORT", "5102")))
    parser.add_argument("--twilio-account-sid", default=_env("TWILIO_ACCOUNT_SID", DEFAULT_ACCOUNT_SID))
    parser.add_argument("--twilio-auth-token", default=_env("TWILIO_AUTH_TOKEN", DEFAULT_AUTH_TOKEN))
    parser.add_argument("--aliyun-key-id", default=_env("ALIYUN_ACCESS_KEY_ID", key_id))
    parser.add_argument("--aliyun-key-secret", default=_env("ALIYUN_ACCESS_KEY_SECRET", secret))
    parser.add_argument(
        "--aliyun-sign-name",
        default=_env("ALIYUN_SMS_SIGN_NAME", DEFAULT_SIGN_NAMES[0]),
        help="registered in addition to the built-in signature names",
    )
    parser.add_argument(
        "--aliyun-template-code",
        default=_env("ALIYUN_SMS_TEMPLATE_CODE", next(iter(DEFAULT_TEMPLATES))),
        help='registered as the template "${content}"',
    )
    parser.add_argument(
        "--receipt-url",
        default=_env(
            "SANDBOX_ALIYUN_RECEIPT_URL", f"{callback_base}/callbacks/aliyun/receipts/{receipt_token}"
        ),
        help="where Aliyun receipts are pushed ('' for none)",
    )
    parser.add_argument(
        "--uplink-url",
        default=_env("SANDBOX_ALIYUN_UPLINK_URL", f"{callback_base}/callbacks/aliyun/uplink/{uplink_token}"),
        help="where replies (上行短信) are pushed; simulate one with POST /_sandbox/uplink",
    )
    parser.add_argument(
        "--robots-port",
        type=int,
        default=int(_env("SANDBOX_ROBOTS_PORT", "5105")),
        help="WeCom, DingTalk and Feishu robot stand-ins (0 = do not start)",
    )
    parser.add_argument(
        "--partner-port",
        type=int,
        default=int(_env("SANDBOX_PARTNER_PORT", "5106")),
        help="a partner's webhook receiver that verifies signatures (0 = do not start)",
    )
    parser.add_argument(
        "--report-delay-ms",
        type=int,
        default=int(_env("SANDBOX_REPORT_DELAY_MS", "500")),
        help="from acceptance to the first status callback / receipt push",
    )
    parser.add_argument(
        "--repush-delays",
        default=_env("SANDBOX_REPUSH_DELAYS", "60,300,600"),
        help="seconds between receipt re-pushes, comma separated (real: 60,300,600)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    repush = [float(x) for x in args.repush_delays.split(",") if x.strip()]
    twilio = TwilioStandin(
        args.twilio_account_sid, args.twilio_auth_token, report_delay_ms=args.report_delay_ms
    ).start(args.host, args.twilio_port)
    aliyun = AliyunStandin(
        access_keys={args.aliyun_key_id: args.aliyun_key_secret},
        sign_names=[*DEFAULT_SIGN_NAMES, args.aliyun_sign_name],
        templates={**DEFAULT_TEMPLATES, args.aliyun_template_code: "${content}"},
        report_delay_ms=args.report_delay_ms,
        repush_delays_s=repush,
        receipt_url=args.receipt_url or None,
        uplink_url=args.uplink_url or None,
    ).start(args.host, args.aliyun_port)
    print(
        f"Twilio stand-in  {twilio.url}  account {args.twilio_account_sid}  "
        f"(faults: {twilio.url}/_sandbox/faults)"
    )
    print(
        f"Aliyun stand-in  {aliyun.url}  AccessKey {args.aliyun_key_id}  "
        f"receipts -> {args.receipt_url or 'none'}"
    )
    robots = RobotStandins(DEMO_ROBOTS).start(args.host, args.robots_port) if args.robots_port else None
    partner = (
        WebhookReceiver(DEMO_PARTNERS).start(args.host, args.partner_port) if args.partner_port else None
    )
    if robots:
        print(
            f"Robot stand-ins  {robots.url}  WeCom/DingTalk/Feishu, {len(DEMO_ROBOTS)} demo robots  "
            f"(messages: {robots.url}/_sandbox/messages)"
        )
    if partner:
        print(f"Partner webhook  {partner.url}/partner/<name>  (received: {partner.url}/_sandbox/messages)")
    print("Ctrl-C stops them all.", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    finally:
        twilio.stop()
        aliyun.stop()
        for extra in (robots, partner):
            if extra:
                extra.stop()


if __name__ == "__main__":
    main()
