"""Yu County's public LED screens for the demo: stations, hospitals, squares, scenic spots.

Mixed as in the field: big full-colour NovaStar walls in the county seat, two-colour Onbon and
Huidu boards at bus stops and township offices, one-colour Listen strips in villages. Demo
tokens are predictable (`demo-screen-<n>`, n = 1…) so that `make run` can start the screen
simulators (sandbox/screen_simulator.py --demo-fleet); a real installation gets random ones.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from notify.extensions import db
from notify.models import Jurisdiction, Township
from notify.screens import registry

DEMO_TOKEN = "demo-screen-{n}"
# The screen the demo fleet leaves silent, so the console shows an offline alarm.
SILENT_SCREEN = 9

# (township code, name, location, vendor, characters per line, lines, colours, heartbeat s)
SCREENS = (
    ("140322100", "县城广场大屏", "秀水镇 县城中心广场北侧", "novastar", 24, 6, "full", 60),
    ("140322100", "县汽车站候车厅", "秀水镇 盂县汽车站候车大厅", "huidu", 16, 3, "full", 60),
    ("140322100", "县人民医院门诊楼", "秀水镇 县人民医院门诊楼入口", "onbon", 16, 2, "two", 60),
    ("140322100", "县政府便民服务中心", "秀水镇 便民服务中心一楼", "huidu", 12, 3, "two", 60),
    ("140322100", "盂县火车站出站口", "秀水镇 盂县站出站口", "novastar", 20, 4, "full", 60),
    ("140322100", "县第一中学门口", "秀水镇 县一中校门", "onbon", 12, 2, "two", 120),
    ("140322100", "北关公交站", "秀水镇 北关公交站台", "listen", 8, 1, "one", 120),
    ("140322101", "孙家庄镇政府", "孙家庄镇 镇政府门前", "onbon", 12, 2, "two", 120),
    ("140322102", "藏山景区入口", "路家村镇 藏山风景区游客中心", "novastar", 20, 4, "full", 60),
    ("140322103", "南娄镇卫生院", "南娄镇 卫生院门诊", "huidu", 10, 2, "two", 120),
    ("140322104", "牛村镇集贸市场", "牛村镇 集贸市场入口", "listen", 10, 1, "one", 300),
    ("140322105", "苌池镇中学", "苌池镇 中学校门", "onbon", 12, 2, "two", 120),
    ("140322106", "上社镇汽车站", "上社镇 汽车站", "huidu", 16, 2, "two", 120),
    ("140322107", "西烟镇政府", "西烟镇 镇政府门前", "onbon", 12, 2, "two", 120),
    ("140322107", "西烟工业园区门口", "西烟镇 工业园区管委会", "novastar", 16, 3, "full", 60),
    ("140322200", "仙人乡政府", "仙人乡 乡政府", "listen", 8, 2, "one", 300),
    ("140322201", "北下庄乡卫生院", "北下庄乡 卫生院", "huidu", 10, 2, "two", 300),
    ("140322202", "梁家寨温泉度假区", "梁家寨乡 温泉度假区大门", "novastar", 16, 3, "full", 60),
    ("140322203", "东梁乡政府", "东梁乡 乡政府", "listen", 8, 1, "one", 300),
    ("140322204", "西潘乡集市", "西潘乡 集市广场", "onbon", 12, 2, "two", 300),
)


def seed_screens(j: Jurisdiction, now: datetime) -> int:
    townships = {
        t.code: t for t in db.session.scalars(select(Township).where(Township.jurisdiction_id == j.id))
    }
    for n, (code, name, location, vendor, chars, lines, colours, beat) in enumerate(SCREENS, start=1):
        registry.create(
            j,
            registry.ScreenData(
                name=name,
                location=location,
                township=townships[code],
                vendor=vendor,
                chars_per_line=chars,
                lines=lines,
                colours=colours,
                heartbeat_interval_s=beat,
            ),
            now,
            token=DEMO_TOKEN.format(n=n),
        )
    db.session.flush()
    return len(SCREENS)
