"""Turning a checked public form into a ticket: number, query code, photos, audit, SMS.

Everything is checked before anything is written (the web layer has already re-encoded the
photos), so a refused submission leaves nothing behind: no row, no file, no message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy.exc import IntegrityError

from notify import audit, clock
from notify.dispatch.outbox import enqueue_message
from notify.extensions import db
from notify.models import Jurisdiction, Tipoff, TipoffPhoto, Township
from notify.tipoffs import deadlines, identity, numbering, storage
from notify.tipoffs.photos import ProcessedPhoto


@dataclass
class SubmissionData:
    category: str
    description: str
    township: Township
    address: str
    latitude: float | None = None
    longitude: float | None = None
    anonymous: bool = True
    name: str = ""
    phone: str = ""  # normalised +86…, required unless anonymous
    locale: str = "zh_CN"
    photos: list[ProcessedPhoto] = field(default_factory=list)
    # The enterprise the report names (from its notice board), already checked by the caller.
    enterprise_id: int | None = None


def submit(
    jurisdiction: Jurisdiction, data: SubmissionData, now: datetime | None = None
) -> tuple[Tipoff, str]:
    """Create the ticket; returns it and its query code (shown once, never stored in clear)."""
    now = now or clock.now()
    code = numbering.new_query_code()
    acceptance_due, closure_due = deadlines.due_dates(now)
    tipoff = Tipoff(
        jurisdiction_id=jurisdiction.id,
        query_code_hash=numbering.hash_code(code),
        category=data.category,
        description=data.description,
        township_id=data.township.id,
        address=data.address,
        latitude=data.latitude,
        longitude=data.longitude,
        enterprise_id=data.enterprise_id,
        anonymous=data.anonymous,
        locale=data.locale,
        state="received",
        received_at=now,
        acceptance_due_at=acceptance_due,
        closure_due_at=closure_due,
    )
    if not data.anonymous:
        identity.seal(tipoff, data.name, data.phone)
    written: list[str] = []
    try:
        for position, photo in enumerate(data.photos):
            name = storage.new_name(now)
            storage.write(name, photo.data)
            written.append(name)
            tipoff.photos.append(
                TipoffPhoto(
                    position=position,
                    storage_name=name,
                    width=photo.width,
                    height=photo.height,
                    size_bytes=len(photo.data),
                    sha256=photo.sha256,
                )
            )
        _number(tipoff, now, jurisdiction.timezone)
        event = audit.record(
            "tipoff.received",
            subject=tipoff,
            actor_name="",
            summary=f"{tipoff.ticket_number}: received ({data.category})",
            detail={
                "to": "received",
                "anonymous": data.anonymous,
                "photos": len(data.photos),
                "enterprise_id": data.enterprise_id,
            },
            at=now,
        )
        # The reporter's address and browser would identify an anonymous reporter; abuse is
        # handled by the rate limits, which keep counters, not addresses with tickets.
        event.ip, event.user_agent = "", ""
        if not data.anonymous:
            _confirm_by_sms(tipoff, data.phone, code)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        for name in written:
            storage.remove(name)
        raise
    return tipoff, code


def _number(tipoff: Tipoff, now: datetime, tz: str, attempts: int = 5) -> None:
    """Give the ticket the day's next number; a race with another submission just retries."""
    for attempt in range(attempts):
        tipoff.ticket_number = numbering.next_ticket_number(now, tz)
        savepoint = db.session.begin_nested()
        try:
            db.session.add(tipoff)
            db.session.flush()
            savepoint.commit()
            return
        except IntegrityError:
            savepoint.rollback()
            if attempt == attempts - 1:
                raise


def sms_text(tipoff: Tipoff, code: str) -> str:
    with force_locale(tipoff.locale):
        name = "tipoff_received_zh.txt" if tipoff.locale.startswith("zh") else "tipoff_received_en.txt"
        return render_template(
            f"messages/{name}",
            ticket=tipoff.ticket_number,
            jurisdiction=tipoff.jurisdiction,
            code=numbering.display_code(code),
            url=current_app.config["PUBLIC_BASE_URL"].rstrip("/") + "/tipoffs/status",
        ).strip()


def _confirm_by_sms(tipoff: Tipoff, phone: str, code: str) -> None:
    # The confirmation carries both the number and the query code. The code is what lets the
    # reporter follow the ticket if they lose the confirmation page, and it goes only to the
    # number they gave for themselves (as 12345 and 12369 confirmations do); anyone holding
    # that phone could already reach the reporter. It is never sent anywhere else.
    locale = "zh" if tipoff.locale.startswith("zh") else "en"
    enqueue_message(phone, sms_text(tipoff, code), purpose="tipoff_received", locale=locale)
