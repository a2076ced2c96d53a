"""Public tip-off pages: the report form (mobile first), the captcha, the status page, and the
clarifications (辟谣). Reporter identity and photos never appear here unless the office approved
a photo for publication."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import (
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from limits import parse_many

from notify import clock
from notify.enterprises import credit_code
from notify.enterprises import public_queries as enterprise_queries
from notify.extensions import db, limiter
from notify.i18n import loc
from notify.lifecycle import queries as warning_queries
from notify.models import Clarification, TipoffPhoto
from notify.public import bp
from notify.public.tipoff_forms import StatusLookupForm, TipoffForm
from notify.tipoffs import captcha, held_photos, numbering, queries, storage, timetrap
from notify.tipoffs.categories import category_label, outcome_label
from notify.tipoffs.guard import state_label
from notify.tipoffs.photos import MAX_BYTES, MAX_PHOTOS, PhotoRejected, ProcessedPhoto, process
from notify.tipoffs.submission import SubmissionData, submit

ACCESS_KEY = "tipoff_access"  # ticket numbers this browser has opened with their query code
PHOTO_OWNER_KEY = "tipoff_photo_owner"  # whose held photos this browser may attach and see

NOT_SENT = _l("The tip-off was not sent. Correct the marked fields.")
# What a time-trapped form with nothing else wrong is told: not why, which would teach a script
# how long to wait; a person sends the form again and it goes through.
NOT_SENT_TRY_AGAIN = _l("The tip-off was not sent. Type the characters of the new picture and send it again.")
CAPTCHA_MESSAGES = {
    "missing": _l(
        "Type the characters shown in the picture (the picture did not load, or it was already used)."
    ),
    "expired": _l("The picture expired. Type the characters of the new picture."),
    "used": _l("That picture was already used. Type the characters of the new picture."),
    "wrong": _l("The characters do not match the picture. Try the new picture."),
}


def _jurisdiction():
    j = warning_queries.jurisdiction_by_code(current_app.config["JURISDICTION_CODE"])
    if j is None:
        abort(404)
    return j


def _ip_limit() -> str:
    return current_app.config["TIPOFF_LIMIT_PER_IP"]


def _status_limit() -> str:
    return current_app.config["TIPOFF_LIMIT_STATUS_PER_IP"]


def _phone_key(phone: str) -> str:
    # The limiter's storage (perhaps Redis) sees a keyed digest, never the number itself.
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, phone.encode(), hashlib.sha256).hexdigest()[:32]


def _phone_within_limits(phone: str) -> bool:
    strategy = limiter.limiter
    items = parse_many(current_app.config["TIPOFF_LIMIT_PER_PHONE"])
    key = _phone_key(phone)
    if not all(strategy.test(item, "tipoff-phone", key) for item in items):
        return False
    return all([strategy.hit(item, "tipoff-phone", key) for item in items])


def _form_page(form: TipoffForm, jurisdiction, status: int = 200, message=None, held=()):
    form.started.data = timetrap.issue()
    form.captcha.data = ""
    if form.enterprise.errors:
        # Refused with its reason shown: the next attempt goes without naming an enterprise.
        form.enterprise.data = ""
    body = render_template(
        "public/tipoffs/new.html",
        form=form,
        jurisdiction=jurisdiction,
        message=message,
        max_photos=MAX_PHOTOS,
        held=list(held),
        enterprise=enterprise_queries.public_enterprise(jurisdiction.id, form.enterprise.data or ""),
    )
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/tipoffs/captcha.png")
def tipoff_captcha():
    response = make_response(captcha.issue())
    response.headers["Content-Type"] = "image/png"
    response.headers["Cache-Control"] = "no-store"
    return response


def _photo_owner() -> str:
    owner = session.get(PHOTO_OWNER_KEY)
    if not isinstance(owner, str) or not owner:
        owner = session[PHOTO_OWNER_KEY] = secrets.token_urlsafe(16)
    return owner


def _kept_photos(form: TipoffForm, owner: str) -> list[held_photos.HeldPhoto]:
    """The photos kept from the last attempt that the reporter left ticked; marks the form if
    one can no longer be had (an hour passed, or the token is not this browser's)."""
    kept, gone = [], False
    for token in list(dict.fromkeys(form.kept_photos.data))[: MAX_PHOTOS + 1]:
        try:
            kept.append(held_photos.take(token, owner))
        except held_photos.HeldPhotoGone:
            gone = True
    if gone:
        form.photos.errors = list(form.photos.errors) + [
            _("A photo attached earlier is no longer kept. Attach it again.")
        ]
    return kept


def _new_photos(form: TipoffForm, uploads) -> tuple[list[ProcessedPhoto], int]:
    """Each upload checked and re-encoded; a refused one marks the form. Returns the photos and
    the status to answer if one was refused (413 for one too large), else 400."""
    processed, status = [], 400
    for upload in uploads:
        try:
            processed.append(process(upload.stream.read(MAX_BYTES + 1), upload.filename or ""))
        except PhotoRejected as refused:
            form.photos.errors = list(form.photos.errors) + [refused.message]
            status = refused.status if status == 400 else status
    return processed, status


@bp.get("/tipoffs/held/<token>")
def tipoff_held_photo(token: str):
    """A thumbnail of a photo kept for this browser's form, and for no other browser."""
    try:
        data = held_photos.thumbnail(token, session.get(PHOTO_OWNER_KEY) or "")
    except held_photos.HeldPhotoGone:
        abort(404)
    response = make_response(data)
    response.headers["Content-Type"] = "image/jpeg"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/tipoffs/new", methods=["GET", "POST"])
@limiter.limit(
    _ip_limit,
    methods=["POST"],
    scope="tipoff-submit",
    error_message=lambda: _("Too many tip-offs from this network. Try again later, or call the hotline."),
)
def tipoff_new():
    j = _jurisdiction()
    form = TipoffForm()
    form.township.choices = [(str(t.id), _township_label(t)) for t in j.townships]
    if request.method == "GET":
        return _new_form(form, j)

    # The cheap check first: a program that trips it costs us no image decoding.
    if form.website.data:
        return _form_page(
            form,
            j,
            400,
            _(
                "This form was filled in by a program, not a person. "
                "If that is wrong, reload the page and fill it in yourself."
            ),
        )
    # The time trap is judged with the rest, so that a person who was quick still sees what
    # to correct, and a script is not told that speed was the reason.
    trapped = timetrap.check(form.started.data) is not None
    form.validate()
    refused = captcha.check(form.captcha.data)
    if refused:
        form.captcha.errors = list(form.captcha.errors) + [CAPTCHA_MESSAGES[refused]]
    owner = _photo_owner()
    kept = _kept_photos(form, owner)
    uploads = [f for f in request.files.getlist(form.photos.name) if f and (f.filename or f.content_length)]
    if len(kept) + len(uploads) > MAX_PHOTOS:
        form.photos.errors = list(form.photos.errors) + [_("At most %(n)d photos.", n=MAX_PHOTOS)]
        uploads = []  # none is decoded: the reporter chooses which to send
    processed, status = _new_photos(form, uploads)
    enterprise = _named_enterprise(form, j)
    if trapped or form.errors:
        # Checked photos are kept for the next attempt: a file input cannot be refilled.
        held = kept + [held_photos.hold(photo, owner) for photo in processed]
        return _form_page(form, j, status, NOT_SENT if form.errors else NOT_SENT_TRY_AGAIN, held)

    real_name = form.identity.data == "real_name"
    if real_name and not _phone_within_limits(form.phone.data):
        return _form_page(
            form,
            j,
            429,
            _("Too many tip-offs from this phone number today. Try again later, or call the hotline."),
            kept + [held_photos.hold(photo, owner) for photo in processed],
        )
    township = next(t for t in j.townships if str(t.id) == form.township.data)
    tipoff, code = submit(
        j,
        SubmissionData(
            category=form.category.data,
            description=form.description.data.strip(),
            township=township,
            address=form.address.data.strip(),
            latitude=form.latitude.data,
            longitude=form.longitude.data,
            anonymous=not real_name,
            name=(form.name.data or "").strip() if real_name else "",
            phone=form.phone.data if real_name else "",
            locale=str(get_locale()),
            photos=[h.photo for h in kept] + processed,
            enterprise_id=enterprise.id if enterprise is not None else None,
        ),
    )
    held_photos.release(kept)
    _grant(tipoff.ticket_number)
    # The code is shown once, on this page (not in a URL or the session), and by SMS to a
    # real-name reporter; it is stored only as a hash.
    response = make_response(
        render_template(
            "public/tipoffs/submitted.html", jurisdiction=j, tipoff=tipoff, code=numbering.display_code(code)
        ),
        201,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _new_form(form: TipoffForm, j):
    """The empty form; from an enterprise's notice board (?enterprise=<credit code>) it names
    the enterprise and starts at its township."""
    wanted = request.args.get("enterprise", "")
    if not wanted:
        return _form_page(form, j)
    form.enterprise.data = credit_code.normalise(wanted)
    if not form.enterprise.validate(form):
        return _form_page(form, j, 400)
    enterprise = _named_enterprise(form, j)
    if enterprise is None:
        return _form_page(form, j, 404)
    form.township.data = str(enterprise.township_id)
    return _form_page(form, j)


def _named_enterprise(form: TipoffForm, j):
    """The listed enterprise the form names, if any; an unknown one marks the form."""
    code = form.enterprise.data
    if not code or form.enterprise.errors:
        return None
    enterprise = enterprise_queries.public_enterprise(j.id, code)
    if enterprise is None:
        form.enterprise.errors = list(form.enterprise.errors) + [
            _(
                "No listed enterprise has the credit code %(code)s, so the tip-off cannot name it. "
                "Send the form again to report without naming an enterprise.",
                code=code,
            )
        ]
    return enterprise


def _grant(number: str) -> None:
    opened = [n for n in session.get(ACCESS_KEY, []) if n != number][-9:]
    session[ACCESS_KEY] = opened + [number]


@bp.route("/tipoffs/status", methods=["GET", "POST"])
@limiter.limit(
    _status_limit,
    methods=["POST"],
    scope="tipoff-status",
    error_message=lambda: _("Too many look-ups from this network. Try again in an hour."),
)
def tipoff_lookup():
    j = _jurisdiction()
    form = StatusLookupForm()
    if request.method == "POST":
        if form.validate():
            tipoff = queries.by_number(form.ticket.data)
            if numbering.code_matches(tipoff, form.code.data) and tipoff.jurisdiction_id == j.id:
                _grant(tipoff.ticket_number)
                return redirect(url_for("public.tipoff_status", number=tipoff.ticket_number))
            return render_template(
                "public/tipoffs/lookup.html",
                form=form,
                jurisdiction=j,
                message=_("No tip-off matches this number and query code. Check both and try again."),
            ), 404
        return render_template("public/tipoffs/lookup.html", form=form, jurisdiction=j), 400
    return render_template("public/tipoffs/lookup.html", form=form, jurisdiction=j)


@bp.get("/tipoffs/status/<number>")
def tipoff_status(number: str):
    j = _jurisdiction()
    if number not in session.get(ACCESS_KEY, []):
        # Not opened with its query code in this browser: ask for it, say nothing about the number.
        return redirect(url_for("public.tipoff_lookup"))
    tipoff = queries.by_number(number)
    if tipoff is None or tipoff.jurisdiction_id != j.id:
        abort(404)
    answer_source = tipoff.duplicate_of if tipoff.state == "duplicate" and tipoff.duplicate_of else tipoff
    response = make_response(
        render_template(
            "public/tipoffs/status.html",
            jurisdiction=j,
            tipoff=tipoff,
            source=answer_source,
            now=clock.now(),
            state_label=state_label,
            category_label=category_label,
            outcome_label=outcome_label,
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/tipoffs/photos/<int:photo_id>")
def tipoff_public_photo(photo_id: int):
    photo = db.session.get(TipoffPhoto, photo_id)
    if photo is None or not photo.public or photo.tipoff.jurisdiction_id != _jurisdiction().id:
        abort(404)
    return _send_photo(photo, public=True)


def _send_photo(photo: TipoffPhoto, *, public: bool):
    try:
        path = storage.path_of(photo.storage_name)
    except ValueError:
        abort(404)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype="image/jpeg", max_age=0, conditional=True)
    response.headers["Cache-Control"] = "public, max-age=3600" if public else "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    return response


@bp.get("/clarifications")
def clarifications():
    j = _jurisdiction()
    return render_template(
        "public/tipoffs/clarifications.html", jurisdiction=j, items=queries.clarifications(j.id)
    )


@bp.get("/clarifications/<int:clarification_id>")
def clarification(clarification_id: int):
    j = _jurisdiction()
    item = db.session.get(Clarification, clarification_id)
    if item is None or item.jurisdiction_id != j.id:
        abort(404)
    photos = [p for p in item.tipoff.photos if p.public]
    return render_template("public/tipoffs/clarification.html", jurisdiction=j, item=item, photos=photos)


@bp.app_template_global()
def clarifications_for_warning(warning):
    return queries.clarifications_for_warning(warning)


@bp.app_template_global()
def tipoff_enterprise(tipoff):
    """The enterprise a tip-off names, for the console's tip-off page."""
    return enterprise_queries.enterprise_by_id(tipoff.enterprise_id)


def _township_label(township) -> str:
    return loc(township, "name")
