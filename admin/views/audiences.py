"""Audiences in the console: groups and their recipients, the rules matrix (which groups each
alert kind and level reaches), and importing recipients from CSV.

The administrator edits; the office may look and import lists (it receives them from the units).
Every change is an audit event.
"""

from __future__ import annotations

import re

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import delete, func, insert, or_, select

from admin import bp
from admin.access import roles_required
from notify import audit
from notify.audience_csv import import_csv
from notify.extensions import db
from notify.ids import MAX_ID, query_int
from notify.models import AlertKind, AudienceGroup, AudienceRule, Recipient, Role

ADMIN = Role.ADMIN.value
READERS = (Role.ADMIN.value, Role.OFFICE_STAFF.value)
PAGE_SIZE = 50
# The rules matrix is edited per channel (?channel=robot): a group may get SMS at every level
# and robot posts only at red, say.
RULE_CHANNELS = ("sms", "robot")
RULE_FIELD = re.compile(r"^rule-(\d+)-(\d+)-(\d+)$")  # rule-<kind>-<level or 0 = every level>-<group>
TEMPLATE_CSV = (
    "name,phone,township,locale\n县生态环境局值班员,13903530100,,zh\nVisiting scholar,+447911123456,,en\n"
)


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))])


class PlainForm(FlaskForm):
    """Only the CSRF token: what to change is in the URL or in the checkboxes."""


def _own_group(group_id: int) -> AudienceGroup:
    group = db.session.get(AudienceGroup, group_id)
    if group is None or group.jurisdiction_id != current_user.jurisdiction_id:
        abort(404)
    return group


def _groups() -> list[AudienceGroup]:
    return list(
        db.session.scalars(
            select(AudienceGroup)
            .where(AudienceGroup.jurisdiction_id == current_user.jurisdiction_id)
            .order_by(AudienceGroup.id)
        )
    )


def _kinds() -> list[AlertKind]:
    return list(
        db.session.scalars(
            select(AlertKind)
            .where(AlertKind.jurisdiction_id == current_user.jurisdiction_id)
            .order_by(AlertKind.id)
        )
    )


def _channel() -> str:
    channel = request.args.get("channel", "sms")
    if channel not in RULE_CHANNELS:
        abort(400)
    return channel


def _current_rules(kind_ids: list[int], channel: str = "sms") -> set[tuple[int, int, int]]:
    rows = db.session.execute(
        select(AudienceRule.kind_id, AudienceRule.level_id, AudienceRule.group_id).where(
            AudienceRule.kind_id.in_(kind_ids), AudienceRule.channel == channel
        )
    ).all()
    return {(k, lv or 0, g) for k, lv, g in rows}


@bp.get("/audiences")
@roles_required(*READERS)
def audiences():
    groups, kinds = _groups(), _kinds()
    counts = {
        gid: (total, active)
        for gid, total, active in db.session.execute(
            select(Recipient.group_id, func.count(), func.count().filter(Recipient.active.is_(True)))
            .where(Recipient.group_id.in_([g.id for g in groups]))
            .group_by(Recipient.group_id)
        )
    }
    channel = _channel()
    return render_template(
        "admin/audiences.html",
        groups=groups,
        kinds=kinds,
        counts=counts,
        rules=_current_rules([k.id for k in kinds], channel),
        form=PlainForm(),
        editable=current_user.role == ADMIN,
        channel=channel,
    )


@bp.post("/audiences/rules")
@roles_required(ADMIN)
def save_audience_rules():
    if not PlainForm().validate():
        abort(400)
    channel = _channel()
    kinds = {k.id: k for k in _kinds()}
    levels = {(lv.kind_id, lv.id) for k in kinds.values() for lv in k.levels}
    groups = {g.id for g in _groups()}
    wanted = set()
    for name in request.form:
        if name == "csrf_token":
            continue
        match = RULE_FIELD.match(name)
        if not match:
            abort(400)
        kind_id, level_id, group_id = (int(x) for x in match.groups())
        if kind_id not in kinds or group_id not in groups or (level_id and (kind_id, level_id) not in levels):
            abort(400)
        wanted.add((kind_id, level_id, group_id))
    current = _current_rules(list(kinds), channel)
    added, removed = sorted(wanted - current), sorted(current - wanted)
    for kind_id, level_id, group_id in removed:
        db.session.execute(
            delete(AudienceRule).where(
                AudienceRule.kind_id == kind_id,
                AudienceRule.group_id == group_id,
                AudienceRule.channel == channel,
                AudienceRule.level_id.is_(None) if level_id == 0 else AudienceRule.level_id == level_id,
            )
        )
    if added:
        db.session.execute(
            insert(AudienceRule),
            [{"kind_id": k, "level_id": lv or None, "group_id": g, "channel": channel} for k, lv, g in added],
        )
    if added or removed:
        audit.record(
            "settings.audience_rules",
            actor=current_user,
            summary=f"{len(added)} added, {len(removed)} removed",
            detail={
                "added": [list(r) for r in added],
                "removed": [list(r) for r in removed],
                "channel": channel,
            },
        )
        db.session.commit()
        flash(
            _(
                "Audience rules saved: %(added)d added, %(removed)d removed.",
                added=len(added),
                removed=len(removed),
            ),
            "success",
        )
    else:
        flash(_("Nothing changed."), "success")
    return redirect(url_for("admin.audiences", channel=None if channel == "sms" else channel))


def _group_page(group: AudienceGroup, *, import_form: ImportForm | None = None, errors=None, status=200):
    q = request.args.get("q", "").strip()[:100]
    # Bounded so that the offset stays within the database's integers.
    page = query_int("page", 1, minimum=1, maximum=MAX_ID // PAGE_SIZE)
    query = select(Recipient).where(Recipient.group_id == group.id)
    if q:
        pattern = f"%{q.replace('%', '').replace('_', '')}%"
        query = query.where(or_(Recipient.name.like(pattern), Recipient.address.like(pattern)))
    rows = list(
        db.session.scalars(query.order_by(Recipient.id).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1))
    )
    return render_template(
        "admin/audience_group.html",
        group=group,
        rows=rows[:PAGE_SIZE],
        more=len(rows) > PAGE_SIZE,
        page=page,
        q=q,
        import_form=import_form or ImportForm(formdata=None),
        toggle_form=PlainForm(),
        errors=errors or [],
        editable=current_user.role == ADMIN,
    ), status


@bp.get("/audiences/<int:group_id>")
@roles_required(*READERS)
def audience_group(group_id: int):
    return _group_page(_own_group(group_id))


@bp.post("/audiences/<int:group_id>/import")
@roles_required(*READERS)
def import_recipients(group_id: int):
    group = _own_group(group_id)
    form = ImportForm()
    if not form.validate():
        return _group_page(group, import_form=form, status=400)
    raw = form.file.data.read()
    report = import_csv(group, raw)
    if report.errors:
        db.session.rollback()  # all or nothing: import_csv wrote nothing, and nothing else may linger
        return _group_page(group, import_form=form, errors=report.errors, status=400)
    audit.record(
        "audience.import",
        actor=current_user,
        subject=group,
        summary=f"{group.code}: {report.added} added, {report.updated} updated",
        detail={
            "file": (form.file.data.filename or "")[:200],
            "added": report.added,
            "updated": report.updated,
            "bytes": len(raw),
        },
    )
    db.session.commit()
    flash(
        _("Imported: %(added)d added, %(updated)d updated.", added=report.added, updated=report.updated),
        "success",
    )
    return redirect(url_for("admin.audience_group", group_id=group.id))


@bp.post("/audiences/<int:group_id>/recipients/<int:recipient_id>/active")
@roles_required(ADMIN)
def toggle_recipient(group_id: int, recipient_id: int):
    group = _own_group(group_id)
    if not PlainForm().validate():
        abort(400)
    recipient = db.session.get(Recipient, recipient_id)
    if recipient is None or recipient.group_id != group.id:
        abort(404)
    recipient.active = not recipient.active
    audit.record(
        "audience.recipient_active",
        actor=current_user,
        subject=recipient,
        summary=f"{group.code} {recipient.address} {'on' if recipient.active else 'off'}",
        detail={"active": recipient.active, "group": group.code},
    )
    db.session.commit()
    return redirect(
        url_for(
            "admin.audience_group",
            group_id=group.id,
            q=request.args.get("q") or None,
            page=request.args.get("page") or None,
        )
    )


@bp.get("/audiences/template.csv")
@roles_required(*READERS)
def audience_csv_template():
    # A byte-order mark so that Excel on Chinese Windows opens the UTF-8 file correctly.
    return Response(
        "\ufeff" + TEMPLATE_CSV,
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": "attachment; filename=recipients-template.csv"},
    )
