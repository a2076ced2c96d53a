"""Warnings in the console: list, drafting, timeline, approval queue, decisions, publication."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from admin import bp
from admin.access import roles_required
from admin.forms import (
    DecisionForm,
    ProposalForm,
    PublishForm,
    SubmitForm,
    advisories_from_form,
    advisories_to_form,
    to_local,
    to_utc,
)
from notify import audience_approval, clock
from notify.audience import audience_by_group, audience_size
from notify.enterprises import reduction
from notify.extensions import db
from notify.ids import query_int
from notify.lifecycle import overlaps, queries
from notify.lifecycle.criteria import suggest_for_kind
from notify.lifecycle.deadlines import deadlines_for
from notify.lifecycle.errors import LifecycleError
from notify.lifecycle.guard import ApprovalFormData, allowed_roles
from notify.lifecycle.headlines import headline_for
from notify.lifecycle.proposals import CHANGE_ACTIONS, ProposalData, edit_draft, propose_change, propose_issue
from notify.lifecycle.transitions import EDITABLE, Action, approver_role
from notify.models import AlertKind, Consultation, Level, Revision, Role, Township, Warning
from notify.revision_steps import take

OFFICE = (Role.OFFICE_STAFF.value,)


def _own_warning(warning_id: int) -> Warning:
    w = db.session.get(Warning, warning_id)
    if w is None or w.jurisdiction_id != current_user.jurisdiction_id:
        abort(404)
    return w


def _own_kind(kind_code: str) -> AlertKind:
    kind = db.session.scalar(
        select(AlertKind).where(
            AlertKind.jurisdiction_id == current_user.jurisdiction_id, AlertKind.code == kind_code
        )
    )
    if kind is None:
        abort(404)
    return kind


def _own_revision(revision_id: int) -> Revision:
    r = db.session.get(Revision, revision_id)
    if r is None or r.warning.jurisdiction_id != current_user.jurisdiction_id:
        abort(404)
    return r


def _version(raw) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        abort(400)


@bp.get("/")
@roles_required()
def index():
    now = clock.now()
    rows = []
    for w in queries.console_warnings(current_user.jurisdiction_id):
        deadlines = [d for r in w.revisions for d in deadlines_for(r, now)]
        overdue = [d for d in deadlines if d.overdue]
        late = [d for d in deadlines if d.late]
        rows.append((w, w.current, w.open_proposal, overdue, late))
    return render_template(
        "admin/warnings.html",
        rows=rows,
        queue=queries.approval_queue(current_user),
        kinds=queries.kinds(current_user.jurisdiction_id),
    )


def _fill_choices(form: ProposalForm, kind: AlertKind, levels: list[Level]) -> None:
    form.level.choices = [(lv.code, f"{lv.name_zh} · {lv.name_en}") for lv in levels]
    form.townships.choices = [(t.id, t.name_zh) for t in kind.jurisdiction.townships]
    consultations = db.session.scalars(
        select(Consultation)
        .where(Consultation.jurisdiction_id == kind.jurisdiction_id)
        .order_by(Consultation.concluded_at.desc())
        .limit(30)
    ).all()
    form.consultation.choices = [(0, "—")] + [
        (c.id, f"{to_local(c.concluded_at):%Y-%m-%d %H:%M} {c.conclusion[:40]}") for c in consultations
    ]


def _data_from(form: ProposalForm, kind: AlertKind) -> ProposalData:
    level = next((lv for lv in kind.levels if lv.code == form.level.data), None)
    townships = (
        list(
            db.session.scalars(
                select(Township).where(
                    Township.id.in_(form.townships.data or []),
                    Township.jurisdiction_id == kind.jurisdiction_id,
                )
            )
        )
        if form.townships.data
        else []
    )
    consultation = db.session.get(Consultation, form.consultation.data) if form.consultation.data else None
    return ProposalData(
        level=level,
        headline_zh=form.headline_zh.data or "",
        headline_en=form.headline_en.data or "",
        area_scope=form.area_scope.data,
        townships=townships,
        trend=form.trend.data or "",
        episode_start=to_utc(form.episode_start.data),
        episode_end=to_utc(form.episode_end.data),
        aqi_min=form.aqi_min.data,
        aqi_max=form.aqi_max.data,
        degree=form.degree.data or "",
        primary_pollutant=form.primary_pollutant.data or "",
        response_start_at=to_utc(form.response_start_at.data),
        advisories=advisories_from_form(form),
        consultation=consultation,
    )


def _form_errors(form, err: LifecycleError):
    for name, message in getattr(err, "errors", {err.field: err.message} if err.field else {}).items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(field.errors) + [message]
    flash(err.message, "error")


def _prefill(
    form: ProposalForm,
    level: Level | None,
    source: Revision | None = None,
    consultation: Consultation | None = None,
    new_step: str | None = None,
) -> None:
    """Fill the form from `source` (the draft edited, or the step a change starts from).

    A new step (`new_step`: its action) gets the headline of its own action and level and no
    consultation: the superseded step's would announce the wrong change and start the 1-hour
    clock in the past.
    """
    if source is not None:
        form.headline_zh.data, form.headline_en.data = source.headline_zh, source.headline_en
        form.area_scope.data = source.area_scope
        form.townships.data = [t.id for t in source.townships]
        form.trend.data = source.trend
        form.episode_start.data, form.episode_end.data = (
            to_local(source.episode_start),
            to_local(source.episode_end),
        )
        form.aqi_min.data, form.aqi_max.data = source.aqi_min, source.aqi_max
        form.degree.data, form.primary_pollutant.data = source.degree, source.primary_pollutant
        form.response_start_at.data = to_local(source.response_start_at)
        form.consultation.data = source.consultation_id or 0
    if new_step is not None:
        form.consultation.data = 0
    if consultation is not None:
        form.consultation.data = consultation.id
    if level is not None:
        form.level.data = level.code
        advisories_to_form(form, level.advisory_blocks())
        if new_step is not None:
            headline = headline_for(level.kind, new_step, level)
            form.headline_zh.data, form.headline_en.data = headline.zh, headline.en
    if source is not None and level is not None and source.level_id == level.id and source.advisories:
        advisories_to_form(form, source.advisories)


def _save_proposal(form: ProposalForm, make):
    """Run a drafting function; on success go to the revision, on refusal mark the form."""
    try:
        revision = make()
        db.session.commit()
    except LifecycleError as err:
        db.session.rollback()
        _form_errors(form, err)
        return None
    except StaleDataError:
        db.session.rollback()
        flash(
            _(
                "This proposal was changed by someone else after you opened it. "
                "Reload the page and check it again."
            ),
            "error",
        )
        return None
    flash(_("Draft saved."), "success")
    return redirect(url_for("admin.revision", revision_id=revision.id))


def _proposal_page(form: ProposalForm, kind: AlertKind, action: str, **context):
    status = 400 if request.method == "POST" else 200
    context = {
        "warning": None,
        "suggested": None,
        "consultation": None,
        "revision": None,
        "in_force": [],
        **context,
    }
    return render_template("admin/proposal_form.html", form=form, kind=kind, action=action, **context), status


@bp.route("/warnings/new/<kind_code>", methods=["GET", "POST"])
@roles_required(*OFFICE)
def new_warning(kind_code: str):
    kind = _own_kind(kind_code)
    form = ProposalForm()
    _fill_choices(form, kind, kind.levels)
    consultation = None
    consultation_id = query_int("consultation")
    if consultation_id is not None:
        consultation = db.session.get(Consultation, consultation_id)
        if consultation is not None and consultation.jurisdiction_id != kind.jurisdiction_id:
            consultation = None
    suggested = (
        suggest_for_kind(kind, consultation.forecast_daily_aqi)
        if consultation is not None and consultation.forecast_daily_aqi
        else None
    )
    # ?exercise=1: a drill (演练), reaching only the test audience; the form posts back to this URL.
    exercise = request.args.get("exercise") == "1"
    if request.method == "GET":
        level = next((lv for lv in kind.levels if lv.code == request.args.get("level")), None)
        _prefill(form, level or suggested or kind.levels[0], consultation=consultation, new_step="issue")
    elif form.validate_on_submit():
        saved = _save_proposal(
            form,
            lambda: propose_issue(
                kind,
                _data_from(form, kind),
                current_user,
                exercise=exercise,
                confirm_overlap=bool(form.confirm_overlap.data),
            ),
        )
        if saved is not None:
            return saved
    return _proposal_page(
        form,
        kind,
        "issue",
        suggested=suggested,
        consultation=consultation,
        exercise=exercise,
        in_force=overlaps.in_force(kind, exercise=exercise),
    )


@bp.route("/warnings/<int:warning_id>/revise/<action>", methods=["GET", "POST"])
@roles_required(*OFFICE)
def revise(warning_id: int, action: str):
    warning = _own_warning(warning_id)
    if action not in CHANGE_ACTIONS:
        abort(404)
    current = warning.current
    if current is None:
        flash(_("Only a published, unlifted warning can be changed."), "error")
        return redirect(url_for("admin.warning", warning_id=warning.id))
    kind = warning.kind
    if action == "upgrade":
        levels = [lv for lv in kind.levels if lv.rank > current.level.rank]
    elif action == "downgrade":
        levels = [lv for lv in kind.levels if lv.rank < current.level.rank]
    else:
        levels = [current.level]
    form = ProposalForm()
    _fill_choices(form, kind, levels or [current.level])
    if request.method == "GET":
        wanted = next((lv for lv in levels if lv.code == request.args.get("level")), None)
        _prefill(form, wanted or (levels[0] if levels else current.level), source=current, new_step=action)
    elif form.validate_on_submit():
        saved = _save_proposal(
            form, lambda: propose_change(warning, action, _data_from(form, kind), current_user)
        )
        if saved is not None:
            return saved
    return _proposal_page(form, kind, action, warning=warning)


@bp.route("/revisions/<int:revision_id>/edit", methods=["GET", "POST"])
@roles_required(*OFFICE)
def edit_revision(revision_id: int):
    revision = _own_revision(revision_id)
    if revision.state not in EDITABLE:
        flash(_("Only a draft or a returned revision can be edited."), "error")
        return redirect(url_for("admin.revision", revision_id=revision.id))
    kind = revision.warning.kind
    form = ProposalForm()
    _fill_choices(
        form,
        kind,
        kind.levels
        if revision.action == "issue"
        else [revision.level] + [lv for lv in kind.levels if lv.id != revision.level_id],
    )
    if request.method == "GET":
        form.version.data = revision.version
        _prefill(form, revision.level, source=revision)
    elif form.validate_on_submit():
        version = _version(form.version.data)
        saved = _save_proposal(
            form,
            lambda: edit_draft(
                revision,
                _data_from(form, kind),
                current_user,
                version=version,
                confirm_overlap=bool(form.confirm_overlap.data),
            ),
        )
        if saved is not None:
            return saved
    in_force = (
        overlaps.in_force(kind, exercise=revision.warning.is_exercise) if revision.action == "issue" else []
    )
    return _proposal_page(
        form, kind, revision.action, warning=revision.warning, revision=revision, in_force=in_force
    )


@bp.get("/warnings/<int:warning_id>")
@roles_required()
def warning(warning_id: int):
    from admin.views.dispatch import VIEWERS as DISPATCH_VIEWERS  # it builds on this module

    w = _own_warning(warning_id)
    now = clock.now()
    events = queries.timeline(w)
    return render_template(
        "admin/warning.html",
        warning=w,
        events=events,
        actor_roles=queries.roles_of({e.actor_id for e in events if e.actor_id is not None}),
        can_dispatch=current_user.role in DISPATCH_VIEWERS,
        deadlines={r.id: deadlines_for(r, now) for r in w.revisions},
        change_actions=CHANGE_ACTIONS,
    )


def _revision_page(revision: Revision, *, submit_form=None, decision_form=None, status=200):
    from admin.views.dispatch import VIEWERS as DISPATCH_VIEWERS  # these build on this module
    from admin.views.sms_preview import sms_figures

    submit_form = submit_form or SubmitForm(formdata=None)
    decision_form = decision_form or DecisionForm(formdata=None)
    size = audience_size(revision)
    for f in (submit_form, decision_form):
        f.version.data = revision.version
    if not submit_form.basis.data:
        latest = revision.approval_form
        submit_form.basis.data = (
            latest.basis if latest else revision.consultation.conclusion if revision.consultation else ""
        )
        submit_form.main_content.data = latest.main_content if latest else revision.headline_zh
        submit_form.department_opinion.data = latest.department_opinion if latest else ""
    decision_form.audience_size.data = size
    can = {
        "edit": revision.state in EDITABLE and current_user.role in OFFICE,
        "submit": revision.state in EDITABLE and current_user.role in allowed_roles(revision, Action.SUBMIT),
        "decide": revision.state == "pending_approval"
        and current_user.role in allowed_roles(revision, Action.APPROVE),
        "publish": revision.state == "approved"
        and current_user.role in allowed_roles(revision, Action.PUBLISH),
        "withdraw": revision.state == "approved"
        and current_user.role in allowed_roles(revision, Action.WITHDRAW),
        "dispatch": current_user.role in DISPATCH_VIEWERS,
    }
    # The SMS texts and their segments: live before approval, from the snapshot after it.
    frozen = revision.snapshot.content["texts"]["sms"] if revision.snapshot else None
    sms = sms_figures(revision, frozen, size)
    own = current_user.id in (revision.author_id, revision.submitted_by_id)
    return render_template(
        "admin/revision.html",
        revision=revision,
        warning=revision.warning,
        submit_form=submit_form,
        decision_form=decision_form,
        audience=size,
        can=can,
        own=own,
        sms=sms,
        deadlines=deadlines_for(revision, clock.now()),
        approver=approver_role(revision),
        # What the approver confirms, per group; open groups (subscribers) are approved as a rule.
        audience_groups=audience_approval.fingerprint(revision)["groups"] if can["decide"] else {},
        open_tolerance=audience_approval.tolerance(),
        # Said before the office tries to publish: the audience no longer what was approved.
        audience_changes=audience_approval.describe_drift(revision) if can["withdraw"] else [],
        # The industrial reduction the response would bring, against the plan's target.
        reduction=reduction.for_revision(revision) if revision.state == "pending_approval" else None,
    ), status


@bp.get("/revisions/<int:revision_id>")
@roles_required()
def revision(revision_id: int):
    return _revision_page(_own_revision(revision_id))


def _act(revision: Revision, action: str, web_form, **kwargs):
    """Run one guarded transition; on refusal show the page again with the reason and a 4xx."""
    try:
        take(revision, action, current_user, version=_version(web_form.version.data), **kwargs)
        db.session.commit()
    except LifecycleError as err:
        db.session.rollback()
        flash(err.message, "error")
        return None, err.status_code
    except StaleDataError:  # two people acted on the same revision at the same moment
        db.session.rollback()
        flash(
            _(
                "This proposal was changed by someone else after you opened it. "
                "Reload the page and check it again."
            ),
            "error",
        )
        return None, 409
    return True, 200


@bp.post("/revisions/<int:revision_id>/submit")
@roles_required()
def submit(revision_id: int):
    revision = _own_revision(revision_id)
    form = SubmitForm()
    if not form.validate():
        flash(_("Fill in every field of the approval form."), "error")
        return _revision_page(revision, submit_form=form, status=400)
    ok, status = _act(
        revision,
        "submit",
        form,
        form=ApprovalFormData(
            basis=form.basis.data,
            main_content=form.main_content.data,
            department_opinion=form.department_opinion.data,
            planned_publish_at=to_utc(form.planned_publish_at.data),
        ),
    )
    if not ok:
        return _revision_page(db.session.get_one(Revision, revision_id), submit_form=form, status=status)
    flash(_("Submitted for approval."), "success")
    return redirect(url_for("admin.revision", revision_id=revision_id))


@bp.post("/revisions/<int:revision_id>/decide")
@roles_required()
def decide(revision_id: int):
    revision = _own_revision(revision_id)
    form = DecisionForm()
    if not form.validate():
        flash(_("The decision form is incomplete."), "error")
        return _revision_page(revision, decision_form=form, status=400)
    confirmed = None
    if form.decision.data == "approve":
        if not form.confirm_audience.data:
            flash(_("Confirm the audience size before approving."), "error")
            return _revision_page(revision, decision_form=form, status=400)
        try:
            confirmed = int(form.audience_size.data)
        except (TypeError, ValueError):
            abort(400)
    ok, status = _act(
        revision, form.decision.data, form, reason=form.opinion.data or "", confirmed_audience_size=confirmed
    )
    if not ok:
        return _revision_page(db.session.get_one(Revision, revision_id), decision_form=form, status=status)
    flash(
        {
            "approve": _("Approved. The office can now publish it."),
            "return": _("Returned to the office."),
            "reject": _("Rejected."),
        }[form.decision.data],
        "success",
    )
    return redirect(url_for("admin.approvals"))


def _publish_page(revision: Revision, form: PublishForm | None = None, status: int = 200):
    """What publishing will do, stated before it is done: the audience, in total and by group."""
    form = form or PublishForm(formdata=None)
    size = audience_size(revision)
    form.version.data = revision.version
    form.audience_size.data = size
    return render_template(
        "admin/publish_confirm.html",
        revision=revision,
        warning=revision.warning,
        form=form,
        audience=size,
        groups=audience_by_group(revision),
    ), status


@bp.get("/revisions/<int:revision_id>/publish")
@roles_required(*OFFICE)
def confirm_publish(revision_id: int):
    revision = _own_revision(revision_id)
    if revision.state != "approved":
        flash(_("Only an approved revision can be published."), "error")
        return redirect(url_for("admin.revision", revision_id=revision.id))
    return _publish_page(revision)


@bp.post("/revisions/<int:revision_id>/publish")
@roles_required(*OFFICE)
def publish(revision_id: int):
    revision = _own_revision(revision_id)
    form = PublishForm()
    if not form.validate():
        abort(400)
    # The confirmation is required here, not only in the page: a bare POST publishes nothing.
    if not form.confirm_audience.data:
        flash(_("Confirm who this goes to before publishing."), "error")
        return _publish_page(revision, form, status=400)
    try:
        confirmed = int(form.audience_size.data)
    except (TypeError, ValueError):
        flash(_("Confirm who this goes to before publishing."), "error")
        return _publish_page(revision, form, status=400)
    size = audience_size(revision)
    if confirmed != size:
        flash(
            _(
                "The audience is now %(size)d recipients, not %(confirmed)d. Check it and confirm again.",
                size=size,
                confirmed=confirmed,
            ),
            "error",
        )
        return _publish_page(revision, PublishForm(formdata=None), status=409)
    ok, status = _act(revision, "publish", form)
    if not ok:
        return _revision_page(db.session.get_one(Revision, revision_id), status=status)
    flash(_("Published. The public site now shows it."), "success")
    return redirect(url_for("admin.warning", warning_id=revision.warning_id))


@bp.get("/approvals")
@roles_required()
def approvals():
    return render_template("admin/approvals.html", queue=queries.approval_queue(current_user))
