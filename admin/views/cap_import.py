"""Importing a CAP document in the console: office staff upload a warning received as CAP (e.g.
from the city), which becomes a draft on its normal way to approval. A refused file is shown with
the reason (the schema's errors for an invalid one), recorded and audited; nothing is published."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import BooleanField

from admin import bp
from admin.access import roles_required
from notify.cap.importer import ImportRefused, import_cap
from notify.extensions import db
from notify.models import CapImport, Role

OFFICE = Role.OFFICE_STAFF.value


class CapUploadForm(FlaskForm):
    file = FileField(_l("CAP 1.2 file (XML)"), validators=[FileRequired(_l("Choose a CAP file."))])
    confirm_overlap = BooleanField(
        _l("Import a new warning even where one of its kind is already in force over an overlapping area")
    )


def _page(form: CapUploadForm, *, refused: ImportRefused | None = None, status: int = 200):
    recent = db.session.scalars(
        select(CapImport)
        .where(CapImport.jurisdiction_id == current_user.jurisdiction_id)
        .order_by(CapImport.uploaded_at.desc(), CapImport.id.desc())
        .limit(20)
    ).all()
    return render_template(
        "admin/cap_import.html",
        form=form,
        refused=refused,
        recent=recent,
        max_kb=current_app.config["CAP_IMPORT_MAX_BYTES"] // 1024,
    ), status


@bp.route("/cap-import", methods=["GET", "POST"])
@roles_required(OFFICE)
def cap_import():
    form = CapUploadForm()
    if request.method == "GET":
        return _page(form)
    if not form.validate_on_submit():
        return _page(form, status=400)
    limit = current_app.config["CAP_IMPORT_MAX_BYTES"]
    upload = form.file.data
    data = upload.read(limit + 1)  # one byte more than allowed tells "too large" without reading it all
    try:
        outcome = import_cap(
            data,
            filename=upload.filename or "",
            actor=current_user,
            max_bytes=limit,
            confirm_overlap=bool(form.confirm_overlap.data),
        )
    except ImportRefused as refused:
        db.session.commit()  # the refusal's record and audit event
        return _page(CapUploadForm(formdata=None), refused=refused, status=422)
    db.session.commit()
    revision = outcome.revision
    flash(
        _(
            "CAP document %(id)s imported as a draft (%(ref)s #%(n)d). Check it, file the approval "
            "form and submit it as usual.",
            id=outcome.record.identifier,
            ref=revision.warning.reference,
            n=revision.sequence,
        ),
        "success",
    )
    return redirect(url_for("admin.revision", revision_id=revision.id))
