import pytest

from notify.channels.aliyun_sms import AliyunGateway
from notify.channels.twilio_sms import TwilioGateway
from sandbox.aliyun_standin import DEFAULT_ACCESS_KEYS, DEFAULT_TEMPLATES

ALIYUN_KEY_ID, ALIYUN_SECRET = next(iter(DEFAULT_ACCESS_KEYS.items()))
ALIYUN_TEMPLATE = next(iter(DEFAULT_TEMPLATES))
TWILIO_FROM = "+15005550006"


@pytest.fixture
def twilio_gateway(twilio_standin, report_sink):
    gateway = TwilioGateway(
        account_sid=twilio_standin.account_sid,
        auth_token=twilio_standin.auth_token,
        from_number=TWILIO_FROM,
        base_url=twilio_standin.url,
        status_callback_url=f"{report_sink.url}/callbacks/twilio",
        timeout=2.0,
    )
    yield gateway
    gateway.close()


@pytest.fixture
def aliyun_gateway(aliyun_standin):
    return AliyunGateway(
        access_key_id=ALIYUN_KEY_ID,
        access_key_secret=ALIYUN_SECRET,
        endpoint=f"http://{aliyun_standin.endpoint}",
        sign_name="盂县人民政府",
        template_code=ALIYUN_TEMPLATE,
        timeout=2.0,
    )


@pytest.fixture(autouse=True)
def _clean_database():
    """Overrides the root conftest's: these tests talk HTTP only and need no app or database."""
    yield
