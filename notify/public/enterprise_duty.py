"""The page an enterprise's duty link opens (/d/<token>): no login, made for a phone.

It shows what the enterprise must do at this level (the 附件11 text, the structured action in
plain words, its own plan's key indicators), by when (Beijing time), and where it stands; two
buttons record that it received the duty and that its measures are in place, the second with a
note and a photo if it wishes. A forged link says so (404); a link whose duty was replaced by a
newer one, or whose warning is over, records nothing and says why (410).
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, make_response, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, TextAreaField
from wtforms.validators import AnyOf, Length, Optional

from notify import clock
from notify.enterprises import confirm, industries
from notify.extensions import db
from notify.models import EnterpriseDuty
from notify.public import bp
from notify.tipoffs import storage
from notify.tipoffs.photos import MAX_BYTES, PhotoRejected


class ReceiveForm(FlaskForm):
    action = HiddenField(default=confirm.RECEIVE, validators=[AnyOf([confirm.RECEIVE])])


class InPlaceForm(FlaskForm):
    action = HiddenField(default=confirm.PUT_IN_PLACE, validators=[AnyOf([confirm.PUT_IN_PLACE])])
    note = TextAreaField(
        _l("Note (optional): what you stopped or limited"),
        validators=[Optional(), Length(max=confirm.MAX_NOTE_CHARS)],
    )
    photo = FileField(_l("Photo (optional, up to 10 MB)"))


STANDING_MESSAGES = {
    confirm.SUPERSEDED: _l(
        "This duty was replaced by a newer one, which was sent to your enterprise by SMS. "
        "Nothing was recorded here; open the newer link."
    ),
    confirm.ENDED: _l(
        "This duty is no longer in force (the warning was lifted or its period ended). Nothing was recorded."
    ),
    confirm.RELEASED: _l(
        "The response has ended: your enterprise may lift its emergency reduction measures."
    ),
    confirm.NOT_REQUIRED: _l("Your enterprise needs to confirm nothing for this duty."),
}
DONE_MESSAGES = {
    confirm.RECEIVE: _l("Receipt confirmed. Put your measures in place and confirm them here."),
    confirm.PUT_IN_PLACE: _l("Measures in place confirmed. Thank you; the ecology bureau can see it now."),
}
ALREADY_MESSAGES = {
    confirm.RECEIVE: _l("Receipt was already confirmed; nothing was changed."),
    confirm.PUT_IN_PLACE: _l("Measures in place were already confirmed; nothing was changed."),
}
_BASIS_WORDS = {
    "lines": _l("counted by production line"),
    "capacity_min": _l("counted on the smallest of the approved, permitted and last year's daily capacity"),
    "machines": _l("counted by number of machines"),
}
_TRUCK_WORDS = {
    "stop_china4_and_below": _l("No heavy trucks of China IV or below (gas-fuelled included) for transport."),
    "stop_road": _l("Stop road transport."),
}


def action_words(action: dict[str, Any]) -> list[str]:
    """The structured action as short sentences in the reader's language."""
    words: list[str] = []
    basis = action.get("basis")
    phrase = _BASIS_WORDS.get(basis or "")
    if action.get("stop_share") is not None:
        share = action["stop_share"]
        if basis == "whole_plant":
            words.append(
                _("Stop the whole plant.")
                if share >= 100
                else _("Stop %(share)s%% of the plant.", share=share)
            )
        elif phrase:
            words.append(_("Stop %(share)s%% of production, %(basis)s.", share=share, basis=phrase))
        else:
            words.append(_("Stop %(share)s%% of production.", share=share))
    if action.get("limit_share") is not None:
        share = action["limit_share"]
        if phrase:
            words.append(_("Limit production by at least %(share)s%%, %(basis)s.", share=share, basis=phrase))
        else:
            words.append(_("Limit production by at least %(share)s%%.", share=share))
    if action.get("processes"):
        words.append(_("This applies to: %(processes)s.", processes="、".join(action["processes"])))
    if action.get("stop_processes"):
        words.append(_("Stop these processes: %(processes)s.", processes="、".join(action["stop_processes"])))
    if action.get("kiln_keep_warm"):
        words.append(_("Keep the kiln warm rather than shutting it down."))
    if action.get("trucks") in _TRUCK_WORDS:
        words.append(str(_TRUCK_WORDS[action["trucks"]]))
    if action.get("voluntary"):
        words.append(_("Voluntary: take your own reduction measures as fits your plant."))
    if action.get("refers_to_city_list"):
        words.append(_("Follow the measure of the city's emergency reduction list."))
    for condition in action.get("conditions") or []:
        if condition.get("after_hours"):
            words.append(
                _("After %(hours)s hours: %(text)s", hours=condition["after_hours"], text=condition["text"])
            )
        else:
            words.append(condition.get("text", ""))
    return [w for w in words if w]


def indicators(duty: EnterpriseDuty) -> list[dict[str, Any]]:
    """The key indicators of the enterprise's approved plan at this response, if it has one."""
    if duty.plan is None or not duty.response:
        return []
    level = (duty.plan.levels or {}).get(duty.response) or {}
    return [row for row in level.get("indicators") or [] if isinstance(row, dict)]


def _exempt_label(code: str) -> str:
    label = industries.EXEMPT_LABELS.get(code or "")
    return str(label) if label else _("exempt")


def _page(duty: EnterpriseDuty, token: str, *, status: int | None = None, in_place_form=None):
    now = clock.now()
    standing = confirm.standing(duty, now)
    revision = duty.revision
    body = render_template(
        "public/duty.html",
        duty=duty,
        token=token,
        enterprise=duty.enterprise,
        content=revision.frozen_content,
        jurisdiction=revision.warning.jurisdiction,
        standing=standing,
        progress=confirm.progress(duty),
        late=confirm.is_late(duty),
        overdue=bool(duty.due_at and duty.in_place_at is None and duty.due_at < now),
        message=STANDING_MESSAGES.get(standing),
        action_words=action_words(duty.action or {}),
        indicators=indicators(duty),
        grade_label=industries.GRADE_LABELS.get(duty.grade, duty.grade),
        exempt_label=_exempt_label,
        receive_form=ReceiveForm(formdata=None),
        in_place_form=in_place_form or InPlaceForm(formdata=None),
    )
    if status is None:
        status = 410 if standing in (confirm.SUPERSEDED, confirm.ENDED) else 200
    response = make_response(body, status)
    # A shared phone's back button must not show a stale button from a cache.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _invalid():
    response = make_response(render_template("public/duty_invalid.html"), 404)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/d/<token>", methods=["GET", "POST"])
def duty(token: str):
    found = confirm.by_token(token)
    if found is None:
        return _invalid()
    if request.method == "GET":
        return _page(found, token)

    action = request.form.get("action")
    if action == confirm.PUT_IN_PLACE:
        form: FlaskForm = InPlaceForm()
    elif action == confirm.RECEIVE:
        form = ReceiveForm()
    else:
        flash(_("Choose one of the buttons below."), "error")
        return _page(found, token, status=400)
    if not form.validate():
        return _page(found, token, status=400, in_place_form=form if action == confirm.PUT_IN_PLACE else None)
    now = clock.now()
    if action == confirm.PUT_IN_PLACE:
        assert isinstance(form, InPlaceForm)
        upload = request.files.get(form.photo.name)
        data = upload.stream.read(MAX_BYTES + 1) if upload and upload.filename else None
        try:
            outcome = confirm.in_place(found, now, form.note.data or "", data)
        except PhotoRejected as refused:
            db.session.rollback()
            form.photo.errors = [refused.message]
            return _page(found, token, status=refused.status, in_place_form=form)
    else:
        outcome = confirm.receive(found, now)

    if outcome.recorded:
        db.session.commit()
        flash(str(DONE_MESSAGES[action]), "success")
    elif outcome.outcome == confirm.ALREADY:
        db.session.rollback()
        flash(str(ALREADY_MESSAGES[action]), "info")
    else:
        db.session.rollback()
        # Refused: the page says why, with the status of a link that no longer works.
        return _page(found, token, status=409 if outcome.outcome == confirm.NOT_REQUIRED else 410)
    return redirect(url_for("public.duty", token=token), 303)


@bp.get("/d/<token>/photo")
def duty_photo(token: str):
    """The photo the enterprise sent with "in place", to whoever holds its link."""
    found = confirm.by_token(token)
    if found is None or not found.in_place_photo:
        abort(404)
    try:
        path = storage.path_of(found.in_place_photo)
    except ValueError:
        abort(404)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype="image/jpeg", max_age=0, conditional=True)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
