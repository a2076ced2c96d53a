"""The CAP 1.2 document of a published revision, built from its frozen snapshot only.

One `<alert>` with a zh-CN `<info>` and an en-US one. msgType follows the revision's action
(issue → Alert; upgrade, downgrade, extend → Update; lift → Cancel) and Update/Cancel quote every
earlier document of the warning in `references`. Severity follows the level's colour; the
native level travels in `<parameter>`s so a receiver that knows the plan needs no guessing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app, has_app_context
from lxml import etree

from notify.cap import NS
from notify.cap.identifiers import NotPublished, message_for, references
from notify.cap.times import cap_time, local_minutes
from notify.models import CapMessage, Revision

__all__ = ["cap_xml", "build", "severity_of", "NotPublished", "MSG_TYPES"]

MSG_TYPES = {
    "issue": "Alert",
    "upgrade": "Update",
    "downgrade": "Update",
    "extend": "Update",
    "lift": "Cancel",
}
SEVERITY_BY_COLOUR = {"red": "Extreme", "orange": "Severe", "yellow": "Moderate", "blue": "Minor"}
# The plan's colours as the demo data spells them, for levels whose code is not a colour name.
COLOUR_BY_HEX = {"#D7191C": "red", "#F08A00": "orange", "#F2C500": "yellow", "#1F6FD1": "blue"}
CATEGORIES = frozenset(
    {
        "Geo",
        "Met",
        "Safety",
        "Security",
        "Rescue",
        "Fire",
        "Health",
        "Env",
        "Transport",
        "Infra",
        "CBRNE",
        "Other",
    }
)
GEOCODE = "GB/T 2260"
LANGUAGES = (("zh", "zh-CN"), ("en", "en-US"))

# Document text per language. Both languages are in every document, so these are chosen by the
# <info> being written, not by the reader's locale as the site's Babel strings are.
WORDS = {
    "zh": {
        "trend": "气象条件变化趋势",
        "episode": "重污染天气过程时间",
        "aqi": "AQI指数范围",
        "degree": "污染程度",
        "pollutant": "主要污染物",
        "level": "预警级别",
        "response": "响应级别",
        "response_start": "响应启动时间",
        "area": "预警区域",
        "whole": "全县",
        "sep": "：",
        "list": "、",
        "lifted": "解除",
        "to": "至",
        "health": "健康防护引导",
        "school": "学校",
        "voluntary": "倡议性措施",
        "mandatory": "强制性措施",
        "sender": "{name}人民政府",
        "exercise": "演练信息，非真实预警。",
    },
    "en": {
        "trend": "Trend of meteorological conditions",
        "episode": "Pollution episode",
        "aqi": "AQI range",
        "degree": "Degree of pollution",
        "pollutant": "Primary pollutant",
        "level": "Warning level",
        "response": "Response level",
        "response_start": "Response starts",
        "area": "Area",
        "whole": "the whole county",
        "sep": ": ",
        "list": ", ",
        "lifted": "Lifted",
        "to": " to ",
        "health": "Health advice",
        "school": "Schools",
        "voluntary": "Voluntary measures",
        "mandatory": "Mandatory measures",
        "sender": "{name} People's Government",
        "exercise": "EXERCISE - not a real warning.",
    },
}


def cap_xml(revision: Revision) -> bytes:
    """The CAP 1.2 document (UTF-8 bytes) of a published revision.

    Assigns the revision's identifier in the caller's session if it has none yet (only for
    revisions published before CAP existed); the caller commits as usual.
    """
    if revision.state != "published" or revision.snapshot is None:
        raise NotPublished(f"revision {revision.id} is {revision.state}, not published")
    header = message_for(revision)
    base = current_app.config.get("PUBLIC_BASE_URL", "") if has_app_context() else ""
    return build(
        revision.snapshot.content,
        header,
        references(revision),
        exercise=bool(revision.warning.is_exercise),
        base_url=base,
    )


def colour_of(level: dict[str, Any]) -> str | None:
    code = (level.get("code") or "").lower()
    if code in SEVERITY_BY_COLOUR:
        return code
    return COLOUR_BY_HEX.get((level.get("colour") or "").upper())


def severity_of(kind: dict[str, Any], level: dict[str, Any]) -> str:
    """Red Extreme, orange Severe, yellow Moderate, blue Minor.

    A kind without levels (the ozone prompt, SO2 controls) is Minor: it is advice without a
    response level, and ranking it with a yellow warning would overstate it to aggregators.
    """
    if not kind.get("graded", True):
        return "Minor"
    return SEVERITY_BY_COLOUR.get(colour_of(level) or "", "Unknown")


def _pick(content: dict[str, Any], key: str, lang: str) -> str:
    obj = content[key]
    return obj.get(f"name_{lang}") or obj.get("name_zh") or ""


def build(
    content: dict[str, Any],
    header: CapMessage,
    earlier: list[CapMessage],
    *,
    exercise: bool = False,
    base_url: str = "",
) -> bytes:
    tz = content["jurisdiction"].get("timezone") or "Asia/Shanghai"
    action = content["revision"]["action"]
    msg_type = MSG_TYPES[action]
    root = etree.Element(f"{{{NS}}}alert", nsmap={None: NS})

    def add(parent, name: str, text: str | None = None):
        element = etree.SubElement(parent, f"{{{NS}}}{name}")
        if text is not None:
            element.text = text
        return element

    add(root, "identifier", header.identifier)
    add(root, "sender", header.sender)
    add(root, "sent", cap_time(header.sent, tz))
    add(root, "status", "Exercise" if exercise else "Actual")
    add(root, "msgType", msg_type)
    add(root, "scope", "Public")
    if exercise:
        add(root, "note", WORDS["zh"]["exercise"] + " " + WORDS["en"]["exercise"])
    if msg_type != "Alert" and earlier:
        add(
            root, "references", " ".join(f"{m.sender},{m.identifier},{cap_time(m.sent, tz)}" for m in earlier)
        )
    add(root, "incidents", content["warning"]["reference"])
    for lang, tag in LANGUAGES:
        _info(add(root, "info"), add, content, lang, tag, header, tz, exercise, base_url)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _info(info, add, content, lang, tag, header, tz, exercise, base_url) -> None:
    words = WORDS[lang]
    kind, level, body = content["kind"], content["level"], content["content"]
    action = content["revision"]["action"]
    lifting = action == "lift"
    add(info, "language", tag)
    category = kind.get("cap_category") or "Other"
    add(info, "category", category if category in CATEGORIES else "Other")
    add(
        info,
        "event",
        kind.get(f"cap_event_{lang}") or kind.get("cap_event_zh") or _pick(content, "kind", lang),
    )
    if lifting:
        response = "AllClear"
    else:
        response = "Avoid" if category in ("Env", "Health") else "Prepare"
    add(info, "responseType", response)
    add(info, "urgency", "Past" if lifting else _urgency(body, header))
    add(info, "severity", severity_of(kind, level))
    add(info, "certainty", "Observed" if lifting else "Likely")
    code = add(info, "eventCode")
    add(code, "valueName", "alertKind")
    add(code, "value", kind["code"])
    add(info, "effective", cap_time(body.get("response_start_at") or header.sent, tz))
    if body.get("episode_start") and not lifting:
        add(info, "onset", cap_time(body["episode_start"], tz))
    if body.get("episode_end") and not lifting:
        add(info, "expires", cap_time(body["episode_end"], tz))
    add(info, "senderName", words["sender"].format(name=_pick(content, "jurisdiction", lang)))
    headline = (content["headline"].get(lang) or "").strip()
    if not headline:
        headline = f"{_pick(content, 'jurisdiction', lang)} {level.get('name_' + lang) or level['name_zh']}"
        if lifting:
            headline = f"{words['lifted']} {headline}"
    add(info, "headline", headline)
    add(info, "description", _description(content, lang, tz))
    if not lifting:
        instruction = _instruction(content, lang)
        if instruction:
            add(info, "instruction", instruction)
    if base_url:
        prefix = "" if lang == "zh" else "/en"
        add(info, "web", f"{base_url.rstrip('/')}{prefix}/warnings/{content['warning']['reference']}")
    params = [("level", level["code"]), ("levelName", level.get(f"name_{lang}") or level["name_zh"])]
    if level.get("numeral"):
        params.append(("levelNumeral", level["numeral"]))
    if level.get(f"response_level_{lang}") or level.get("response_level_zh"):
        params.append(("responseLevel", level.get(f"response_level_{lang}") or level["response_level_zh"]))
    params.append(("colour", level["colour"]))
    if body.get("aqi_min") is not None or body.get("aqi_max") is not None:
        params.append(("aqiRange", f"{_num(body.get('aqi_min'))}-{_num(body.get('aqi_max'))}"))
    if body.get("primary_pollutant"):
        params.append(("primaryPollutant", body["primary_pollutant"]))
    params.append(("action", action))
    for name, value in params:
        p = add(info, "parameter")
        add(p, "valueName", name)
        add(p, "value", str(value))
    _areas(info, add, content, lang)


def _num(value) -> str:
    return "" if value is None else str(value)


def _urgency(body: dict[str, Any], header: CapMessage) -> str:
    start = body.get("response_start_at") or body.get("episode_start")
    if start and datetime.fromisoformat(start) > header.sent:
        return "Expected"
    return "Immediate"


def _description(content: dict[str, Any], lang: str, tz: str) -> str:
    words, body, level = WORDS[lang], content["content"], content["level"]
    lines = []
    if content["revision"]["action"] == "lift":
        lines.append(f"{words['lifted']}{words['sep']}{level.get('name_' + lang) or level['name_zh']}")
    else:
        lines.append(f"{words['level']}{words['sep']}{level.get('name_' + lang) or level['name_zh']}")
        response = level.get(f"response_level_{lang}") or level.get("response_level_zh")
        if response:
            lines.append(f"{words['response']}{words['sep']}{response}")
    if body.get("response_start_at") and content["revision"]["action"] != "lift":
        lines.append(f"{words['response_start']}{words['sep']}{local_minutes(body['response_start_at'], tz)}")
    if body.get("episode_start"):
        span = local_minutes(body["episode_start"], tz)
        if body.get("episode_end"):
            span += words["to"] + local_minutes(body["episode_end"], tz)
        lines.append(f"{words['episode']}{words['sep']}{span}")
    if body.get("aqi_min") is not None or body.get("aqi_max") is not None:
        lines.append(f"{words['aqi']}{words['sep']}{_num(body.get('aqi_min'))}-{_num(body.get('aqi_max'))}")
    for key, label in (("degree", "degree"), ("primary_pollutant", "pollutant"), ("trend", "trend")):
        if body.get(key):
            lines.append(f"{words[label]}{words['sep']}{body[key]}")
    lines.append(f"{words['area']}{words['sep']}{_area_text(content, lang)}")
    return "\n".join(lines)


def _instruction(content: dict[str, Any], lang: str) -> str:
    words, parts = WORDS[lang], []
    for block in ("health", "school", "voluntary", "mandatory"):
        items = (content.get("advisories") or {}).get(block) or []
        texts = [(item.get(lang) or item.get("zh") or "").strip() for item in items]
        texts = [t for t in texts if t]
        if texts:
            parts.append(words[block] + words["sep"] + "\n" + "\n".join(f"- {t}" for t in texts))
    return "\n\n".join(parts)


def _area_text(content: dict[str, Any], lang: str) -> str:
    area, words = content["area"], WORDS[lang]
    if area.get("scope") == "townships" and area.get("townships"):
        return words["list"].join(t.get(f"name_{lang}") or t["name_zh"] for t in area["townships"])
    return (
        f"{_pick(content, 'jurisdiction', lang)}（{words['whole']}）"
        if lang == "zh"
        else f"{_pick(content, 'jurisdiction', lang)} ({words['whole']})"
    )


def _areas(info, add, content: dict[str, Any], lang: str) -> None:
    area, county = content["area"], content["jurisdiction"]
    county_name = _pick(content, "jurisdiction", lang)
    places = []
    if area.get("scope") == "townships" and area.get("townships"):
        for t in area["townships"]:
            name = t.get(f"name_{lang}") or t["name_zh"]
            places.append((f"{county_name}{name}" if lang == "zh" else f"{name}, {county_name}", t["code"]))
    else:
        places.append((county_name, county["code"]))
    for desc, code in places:
        element = add(info, "area")
        add(element, "areaDesc", desc)
        geocode = add(element, "geocode")
        add(geocode, "valueName", GEOCODE)
        add(geocode, "value", code)
