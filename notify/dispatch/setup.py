"""Building the dispatcher from configuration and starting the chosen executor.

The product never imports the stand-ins: pointing a gateway at sandbox/ is only a matter of
its URL and keys in the environment, so the same build talks to the real services.
"""

from __future__ import annotations

import threading
from datetime import timedelta

from flask import Flask

from notify.channels.base import Gateway
from notify.channels.dingtalk_robot import DingTalkRobotGateway
from notify.channels.feishu_robot import FeishuRobotGateway
from notify.channels.partner_webhook import PartnerWebhookGateway
from notify.channels.wecom_robot import WeComRobotGateway
from notify.dispatch import robot_limits, targets, wakeup
from notify.dispatch.dispatcher import Dispatcher, Settings
from notify.dispatch.executor import ThreadExecutor
from notify.dispatch.ratelimit import RedisTokenBucket, TokenBucket
from notify.dispatch.results import RetryPolicy


def build_gateways(config) -> dict[str, Gateway]:
    # The vendors' SDKs load when the dispatcher is built, not with every import of this module
    # (the CLI, the scheduler, a migration).
    from notify.channels.aliyun_sms import AliyunGateway
    from notify.channels.twilio_sms import TwilioGateway

    gateways: dict[str, Gateway] = {}
    timeout = config["GATEWAY_TIMEOUT_SECONDS"]
    if config.get("TWILIO_ACCOUNT_SID"):
        callback_base = config.get("CALLBACK_BASE_URL", "").rstrip("/")
        gateways["twilio"] = TwilioGateway(
            account_sid=config["TWILIO_ACCOUNT_SID"],
            auth_token=config["TWILIO_AUTH_TOKEN"],
            from_number=config["TWILIO_FROM"],
            base_url=config.get("TWILIO_BASE_URL") or None,
            status_callback_url=f"{callback_base}/callbacks/twilio/status" if callback_base else None,
            timeout=timeout,
            workers=config["TWILIO_PARALLEL_CALLS"],
        )
    if config.get("ALIYUN_ACCESS_KEY_ID"):
        gateways["aliyun"] = AliyunGateway(
            access_key_id=config["ALIYUN_ACCESS_KEY_ID"],
            access_key_secret=config["ALIYUN_ACCESS_KEY_SECRET"],
            sign_name=config["ALIYUN_SMS_SIGN_NAME"],
            template_code=config["ALIYUN_SMS_TEMPLATE_CODE"],
            endpoint=config["ALIYUN_SMS_ENDPOINT"],
            timeout=timeout,
        )
    gateways.update(build_push_gateways(config))
    return gateways


def push_setting(config, name: str, default: str, cast=str):
    """Robot and webhook settings: app config first, then the environment, then the default."""
    import os

    value = config.get(name)
    return cast(value if value is not None else os.environ.get(name, default))


def build_push_gateways(config) -> dict:
    """The three robot kinds and partner webhooks. They need no account: each robot and each
    webhook carries its own URL and secret in the registry (notify.dispatch.targets)."""
    timeout = push_setting(config, "ROBOT_TIMEOUT_SECONDS", "10", float)
    workers = push_setting(config, "ROBOT_PARALLEL_CALLS", "8", int)
    budgets = robot_limits.build(
        push_setting(config, "RATE_LIMIT_STORAGE", "memory"),
        margin=push_setting(config, "ROBOT_LIMIT_MARGIN_SECONDS", "0.5", float),
        prefix=push_setting(config, "ROBOT_LIMIT_PREFIX", "notify:robot:"),
    )
    # Outside the demo and the tests, empty: robots and webhooks go to public addresses only.
    allowed_hosts = config.get("OUTBOUND_ALLOWED_HOSTS", frozenset())
    common = dict(timeout=timeout, workers=workers, allowed_hosts=allowed_hosts)
    return {
        "wecom": WeComRobotGateway(targets.robots, budget=budgets["wecom"], **common),
        "dingtalk": DingTalkRobotGateway(
            targets.robots,
            budget=budgets["dingtalk"],
            block_seconds=push_setting(config, "ROBOT_DINGTALK_BLOCK_SECONDS", "600", float),
            **common,
        ),
        "feishu": FeishuRobotGateway(targets.robots, budget=budgets["feishu"], **common),
        "webhook": PartnerWebhookGateway(
            targets.webhooks,
            timeout=push_setting(config, "WEBHOOK_TIMEOUT_SECONDS", "10", float),
            workers=workers,
            allowed_hosts=allowed_hosts,
        ),
    }


def build_settings(config) -> Settings:
    return Settings(
        claim_size={
            "aliyun": config["DISPATCH_BATCH_ALIYUN"],
            "twilio": config["DISPATCH_BATCH_TWILIO"],
            "wecom": 60,
            "dingtalk": 60,
            "feishu": 60,
            "webhook": 50,
        },
        lease=timedelta(seconds=config["DISPATCH_LEASE_SECONDS"]),
        ordering_hold=timedelta(seconds=config["DISPATCH_ORDERING_HOLD_SECONDS"]),
        retry=RetryPolicy(
            max_attempts=config["DISPATCH_MAX_ATTEMPTS"],
            base_seconds=config["DISPATCH_RETRY_BASE_SECONDS"],
            cap_seconds=config["DISPATCH_RETRY_CAP_SECONDS"],
        ),
        rates={
            "aliyun": (config["RATE_ALIYUN"], config["RATE_ALIYUN_UNIT"]),
            "twilio": (config["RATE_TWILIO"], config["RATE_TWILIO_UNIT"]),
        },
        breaker_threshold=config["BREAKER_THRESHOLD"],
        breaker_cooldown=config["BREAKER_COOLDOWN_SECONDS"],
        plan_chunk=config["DISPATCH_PLAN_CHUNK"],
        plan_lease=timedelta(seconds=config["DISPATCH_PLAN_LEASE_SECONDS"]),
    )


def build_limiters(config, settings: Settings) -> dict:
    storage = config.get("RATE_LIMIT_STORAGE", "memory")
    if storage.startswith("redis://"):
        import redis

        client = redis.Redis.from_url(storage)
        return {name: RedisTokenBucket(client, name, rate) for name, (rate, _) in settings.rates.items()}
    return {name: TokenBucket(rate) for name, (rate, _) in settings.rates.items()}


def build_dispatcher(app: Flask) -> Dispatcher:
    settings = build_settings(app.config)
    return Dispatcher(build_gateways(app.config), settings, build_limiters(app.config, settings))


def init_app(app: Flask) -> None:
    """Make the dispatcher available; start the thread executor with the first request.

    Starting on the first request, not at import, keeps `flask db upgrade` and the other
    commands from sending anything. The scale-out deployment sets DISPATCH_EXECUTOR=celery and
    runs workers instead (see notify/dispatch/worker.py).
    """
    lock = threading.Lock()
    state = {"started": False}

    def dispatcher() -> Dispatcher:
        if "notify.dispatcher" not in app.extensions:
            app.extensions["notify.dispatcher"] = build_dispatcher(app)
        return app.extensions["notify.dispatcher"]

    app.extensions["notify.get_dispatcher"] = dispatcher

    if app.config["DISPATCH_EXECUTOR"] == "celery":
        # Celery and its broker client load only in installations that scale out with it.
        from notify.dispatch.worker import kick

        wakeup.register(kick)
        return

    @app.before_request
    def _start_executor() -> None:
        if state["started"] or app.config["DISPATCH_EXECUTOR"] != "threads" or app.testing:
            return
        with lock:
            if not state["started"]:
                start_threads(app)
                state["started"] = True


def start_threads(app: Flask):
    executor = ThreadExecutor(
        app, app.extensions["notify.get_dispatcher"](), threads=app.config["DISPATCH_THREADS"]
    ).start()
    app.extensions["notify.executor"] = executor
    return executor
