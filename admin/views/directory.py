"""Directory and settings kept by the administrator: member units, townships, experts, users,
levels. Every change is an audit event naming the fields that changed (read in the audit log,
admin/views/audit_log.py)."""

from __future__ import annotations

import json

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from admin import bp
from admin.access import roles_required
from admin.forms import ExpertForm, LevelForm, MemberUnitForm, TownshipForm, UserForm, advisories_from_form
from notify import audit, clock
from notify.accounts import passwords, second_factor, sign_in
from notify.extensions import db
from notify.lifecycle import queries
from notify.lifecycle.criteria import RuleError, validate_rule
from notify.models import (
    ADVISORY_BLOCKS,
    Advisory,
    Expert,
    Level,
    MemberUnit,
    Role,
    Township,
    User,
)
from notify.public import export_requests

ADMIN = Role.ADMIN.value


def _changes(obj, fields: dict) -> dict:
    """Apply the fields and return {field: [old, new]} for those that changed (passwords excluded)."""
    changed = {}
    for name, value in fields.items():
        old = getattr(obj, name)
        if old != value:
            changed[name] = [old, value]
            setattr(obj, name, value)
    return changed


def _own(model, obj_id: int):
    obj = db.session.get(model, obj_id)
    if obj is None or obj.jurisdiction_id != current_user.jurisdiction_id:
        abort(404)
    return obj


@bp.get("/units")
@roles_required()
def units():
    rows = db.session.scalars(
        select(MemberUnit)
        .where(MemberUnit.jurisdiction_id == current_user.jurisdiction_id)
        .order_by(MemberUnit.position)
    ).all()
    townships = db.session.scalars(
        select(Township)
        .where(Township.jurisdiction_id == current_user.jurisdiction_id)
        .order_by(Township.code)
    ).all()
    experts = db.session.scalars(
        select(Expert).where(Expert.jurisdiction_id == current_user.jurisdiction_id).order_by(Expert.id)
    ).all()
    return render_template("admin/units.html", units=rows, townships=townships, experts=experts)


@bp.route("/units/new", methods=["GET", "POST"], defaults={"unit_id": None})
@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
@roles_required(ADMIN)
def edit_unit(unit_id: int | None):
    unit = _own(MemberUnit, unit_id) if unit_id else None
    form = MemberUnitForm(obj=unit)
    if form.validate_on_submit():
        clash = db.session.scalar(
            select(MemberUnit).where(
                MemberUnit.jurisdiction_id == current_user.jurisdiction_id,
                MemberUnit.code == form.code.data,
                MemberUnit.id != (unit.id if unit else -1),
            )
        )
        if clash is not None:
            form.code.errors = [_("Another unit has this code.")]
        else:
            if unit is None:
                unit = MemberUnit(
                    jurisdiction_id=current_user.jurisdiction_id,
                    code=form.code.data,
                    name_zh="",
                    name_en="",
                    position=len(current_user.jurisdiction.member_units),
                )
                db.session.add(unit)
            changed = _changes(
                unit,
                {
                    "code": form.code.data,
                    "name_zh": form.name_zh.data.strip(),
                    "name_en": (form.name_en.data or "").strip(),
                    "phone": (form.phone.data or "").strip(),
                    "active": form.active.data,
                    "oversees_schools": form.oversees_schools.data,
                },
            )
            db.session.flush()
            audit.record(
                "settings.member_unit",
                actor=current_user,
                subject=unit,
                summary=unit.name_zh,
                detail={"changed": changed},
            )
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("admin.units"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/simple_form.html", form=form, title=_("Member unit")), status


@bp.route("/townships/<int:township_id>/edit", methods=["GET", "POST"])
@roles_required(ADMIN)
def edit_township(township_id: int):
    township = _own(Township, township_id)
    form = TownshipForm(obj=township)
    if form.validate_on_submit():
        changed = _changes(
            township,
            {
                "name_zh": form.name_zh.data.strip(),
                "name_en": (form.name_en.data or "").strip(),
                "phone": (form.phone.data or "").strip(),
            },
        )
        audit.record(
            "settings.township",
            actor=current_user,
            subject=township,
            summary=township.name_zh,
            detail={"changed": changed},
        )
        if changed:  # its name is on the public pages of the warnings covering it
            export_requests.request_export(clock.now())
        db.session.commit()
        export_requests.wake()
        flash(_("Saved."), "success")
        return redirect(url_for("admin.units"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/simple_form.html", form=form, title=_("Township")), status


@bp.route("/experts/new", methods=["GET", "POST"])
@roles_required(ADMIN)
def new_expert():
    form = ExpertForm()
    if form.validate_on_submit():
        expert = Expert(
            jurisdiction_id=current_user.jurisdiction_id,
            name_zh=form.name_zh.data.strip(),
            name_en=(form.name_en.data or "").strip(),
            organisation_zh=(form.organisation_zh.data or "").strip(),
            title_zh=(form.title_zh.data or "").strip(),
        )
        db.session.add(expert)
        db.session.flush()
        audit.record("settings.expert", actor=current_user, subject=expert, summary=expert.name_zh)
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("admin.units"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/simple_form.html", form=form, title=_("Expert")), status


@bp.get("/users")
@roles_required(ADMIN)
def users():
    rows = db.session.scalars(
        select(User).where(User.jurisdiction_id == current_user.jurisdiction_id).order_by(User.username)
    ).all()
    return render_template("admin/users.html", users=rows)


@bp.route("/users/new", methods=["GET", "POST"], defaults={"user_id": None})
@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@roles_required(ADMIN)
def edit_user(user_id: int | None):
    user = _own(User, user_id) if user_id else None
    form = UserForm(obj=user)
    form.member_unit.choices = [(0, "—")] + [
        (u.id, u.name_zh) for u in current_user.jurisdiction.member_units
    ]
    if request.method == "GET" and user is not None:
        form.member_unit.data = user.member_unit_id or 0
    if form.validate_on_submit():
        clash = db.session.scalar(
            select(User).where(User.username == form.username.data, User.id != (user.id if user else -1))
        )
        unit_id = form.member_unit.data or None
        if unit_id is not None:
            _own(MemberUnit, unit_id)
        if clash is not None:
            form.username.errors = [_("This user name is taken.")]
        elif user is None and not form.password.data:
            form.password.errors = [_("A new user needs a password.")]
        elif form.password.data and passwords.problems(form.password.data, form.username.data):
            form.password.errors = passwords.problems(form.password.data, form.username.data)
        elif (
            user is not None
            and user.id == current_user.id
            and (form.role.data != ADMIN or not form.active.data)
        ):
            form.role.errors = [_("You cannot remove your own administrator rights.")]
        else:
            if user is None:
                user = User(
                    jurisdiction_id=current_user.jurisdiction_id,
                    username=form.username.data,
                    display_name="",
                    role=form.role.data,
                    password_hash="",
                )
                db.session.add(user)
            changed = _changes(
                user,
                {
                    "username": form.username.data,
                    "display_name": form.display_name.data.strip(),
                    "role": form.role.data,
                    "phone": (form.phone.data or "").strip(),
                    "member_unit_id": unit_id,
                    "active": form.active.data,
                    "totp_required": form.totp_required.data,
                },
            )
            if form.password.data:
                user.set_password(form.password.data)
                changed["password"] = ["***", "***"]
            if form.totp_reset.data and user.totp_enrolled:
                second_factor.remove(user)
                changed["second_factor"] = ["***", None]
            db.session.flush()
            # A new password, deactivation or a removed second factor logs the user out everywhere.
            sign_in.end_sessions_after_admin_change(user, changed)
            audit.record(
                "settings.user",
                actor=current_user,
                subject=user,
                summary=user.username,
                detail={"changed": changed},
            )
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("admin.users"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/simple_form.html", form=form, title=_("User")), status


@bp.get("/levels")
@roles_required()
def levels():
    return render_template("admin/levels.html", kinds=queries.kinds(current_user.jurisdiction_id))


@bp.route("/levels/<int:level_id>/edit", methods=["GET", "POST"])
@roles_required(ADMIN)
def edit_level(level_id: int):
    level = db.session.get(Level, level_id)
    if level is None or level.kind.jurisdiction_id != current_user.jurisdiction_id:
        abort(404)
    # Filled from the level only to show it: a POST is read from the form alone, or a field left
    # out of it would keep the level's value (the rule as a dict, not the JSON text).
    form = LevelForm(obj=level) if request.method == "GET" else LevelForm()
    if request.method == "GET":
        form.criteria_rule.data = (
            json.dumps(level.criteria_rule, ensure_ascii=False) if level.criteria_rule else ""
        )
        blocks = level.advisory_blocks()
        for block in ADVISORY_BLOCKS:
            getattr(form, f"adv_{block}_zh").data = "\n".join(i["zh"] for i in blocks[block])
            getattr(form, f"adv_{block}_en").data = "\n".join(i["en"] for i in blocks[block])
    if form.validate_on_submit():
        rule = None
        try:
            raw = (form.criteria_rule.data or "").strip()
            rule = json.loads(raw) if raw else None
            validate_rule(rule)
        except (ValueError, RuleError) as exc:
            form.criteria_rule.errors = [_("Not a valid rule: %(error)s", error=str(exc))]
        else:
            changed = _changes(
                level,
                {
                    "name_zh": form.name_zh.data.strip(),
                    "name_en": form.name_en.data.strip(),
                    "colour": form.colour.data.upper(),
                    "approver_role": form.approver_role.data,
                    "criteria_zh": form.criteria_zh.data or "",
                    "criteria_en": form.criteria_en.data or "",
                    "criteria_rule": rule,
                },
            )
            advisories = advisories_from_form(form)
            if advisories != level.advisory_blocks():
                changed["advisories"] = True
                level.advisories.clear()
                db.session.flush()
                for block, items in advisories.items():
                    for position, item in enumerate(items):
                        level.advisories.append(
                            Advisory(block=block, position=position, text_zh=item["zh"], text_en=item["en"])
                        )
            audit.record(
                "settings.level",
                actor=current_user,
                subject=level,
                summary=f"{level.kind.code}/{level.code}",
                detail={"changed": changed},
            )
            if changed:  # the level's advice page, and the current warnings at it, show it
                export_requests.request_export(clock.now())
            db.session.commit()
            export_requests.wake()
            flash(_("Saved."), "success")
            return redirect(url_for("admin.levels"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/level_form.html", form=form, level=level), status
