"""Sending an approved revision back for a new approval, when what the approver confirmed no
longer holds (its audience changed since): the office withdraws it to pending approval, the
same approval form is filed again, and the approver confirms the audience anew."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import DataRequired

from admin import bp
from admin.access import roles_required
from admin.views.warnings import OFFICE, _act, _own_revision, _revision_page
from notify import audience_approval
from notify.extensions import db
from notify.models import Revision


class WithdrawForm(FlaskForm):
    version = HiddenField(validators=[DataRequired()])


@bp.post("/revisions/<int:revision_id>/withdraw")
@roles_required(*OFFICE)
def withdraw(revision_id: int):
    revision = _own_revision(revision_id)
    form = WithdrawForm()
    if not form.validate():
        abort(400)
    # What changed goes into the audit trail as the reason, so the approver reads it there too.
    changes = audience_approval.describe_drift(revision) if revision.state == "approved" else []
    ok, status = _act(revision, "withdraw", form, reason="; ".join(changes))
    if not ok:
        return _revision_page(db.session.get_one(Revision, revision_id), status=status)
    flash(_("Sent back for a new approval: the approver confirms the audience again."), "success")
    return redirect(url_for("admin.revision", revision_id=revision_id))
