"""The page a school's acknowledgement link opens: no login, made for a phone.

It shows the notice the school received and one button; pressing it records who confirmed and
when. A forged link, a link of a notice that was replaced or has ended, and a second press
change nothing, and the page says which it is.
"""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional

from notify import clock
from notify.extensions import db
from notify.public import bp
from notify.schools import acknowledge
from notify.schools.registry import type_label


class AckForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[Optional(), Length(max=50)])


STATE_MESSAGES = {
    acknowledge.SUPERSEDED: _l(
        "This notice was replaced by a newer one, which was sent to your "
        "school by SMS. Nothing was recorded here; confirm the newer one."
    ),
    acknowledge.ENDED: _l(
        "This notice is no longer in force (the warning was lifted or its "
        "period ended). Nothing was recorded."
    ),
    acknowledge.NOT_REQUIRED: _l("This notice needs no confirmation."),
}


def _page(notice, form, status: int = 200):
    now = clock.now()
    state = acknowledge.state(notice, now)
    revision = notice.revision
    content = revision.snapshot.content
    body = render_template(
        "public/ack.html",
        notice=notice,
        school=notice.school,
        state=state,
        form=form,
        content=content,
        jurisdiction=revision.warning.jurisdiction,
        message=STATE_MESSAGES.get(state),
        type_label=type_label,
        published_at=revision.published_at,
    )
    response = make_response(
        body,
        status if state in (acknowledge.OPEN, acknowledge.ACKNOWLEDGED, acknowledge.NOT_REQUIRED) else 410,
    )
    # A shared phone's back button must not show a stale "confirm" button from a cache.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _invalid():
    response = make_response(render_template("public/ack_invalid.html"), 404)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/a/<token>")
def school_ack(token: str):
    notice = acknowledge.by_token(token)
    if notice is None:
        return _invalid()
    form = AckForm()
    if not form.name.data:
        form.name.data = notice.school.head_name
    return _page(notice, form)


@bp.post("/a/<token>")
def school_ack_confirm(token: str):
    notice = acknowledge.by_token(token)
    if notice is None:
        return _invalid()
    form = AckForm()
    if not form.validate():
        return _page(notice, form, 400)
    now = clock.now()
    state = acknowledge.state(notice, now)
    if state == acknowledge.ACKNOWLEDGED:
        flash(_("This notice was already confirmed; nothing was changed."), "info")
        return redirect(url_for("public.school_ack", token=token), 303)
    if state != acknowledge.OPEN:
        return _page(notice, form)
    who = (form.name.data or "").strip() or notice.school.head_name or notice.school.name
    if acknowledge.acknowledge(notice, via="link", by=who, now=now):
        db.session.commit()
        flash(_("Confirmed. Thank you; the education bureau can see it now."), "success")
    else:
        db.session.rollback()
        flash(_("This notice was already confirmed; nothing was changed."), "info")
    return redirect(url_for("public.school_ack", token=token), 303)
