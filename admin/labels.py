"""Codes as people read them, in the viewer's language: audit and timeline events, the system's
own actors, delivery statuses and roles. Every console page that shows one of these codes asks
here, so that a new code is named once.

The stored codes stay what they are (they are what filters, exports and tests match on).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from admin.forms import ROLE_NAMES

# Every action an audit event is recorded with (notify.audit.record). A test reads the code base
# for recorded actions and fails on one missing here.
EVENTS = {
    # Signing in
    "login": _l("Logged in"),
    "login.failed": _l("Failed log-in"),
    "login.locked": _l("Log-in refused: locked out"),
    "logout": _l("Logged out"),
    "password.changed": _l("Password changed"),
    "second_factor.enrolled": _l("Second factor set up"),
    "second_factor.removed": _l("Second factor removed"),
    # Warnings: drafting, approval, publication
    "consultation.create": _l("Consultation recorded"),
    "revision.draft": _l("Draft created"),
    "revision.edit": _l("Draft edited"),
    "revision.submit": _l("Submitted for approval"),
    "revision.approve": _l("Approved"),
    "revision.return": _l("Returned"),
    "revision.reject": _l("Rejected"),
    "revision.publish": _l("Published"),
    "revision.withdraw": _l("Withdrawn for a new approval"),
    "revision.publication_scheduled": _l("Timed publication set"),
    "revision.publication_unscheduled": _l("Timed publication cancelled"),
    "revision.published_on_schedule": _l("Published at the set time"),
    "revision.scheduled_publication_skipped": _l("Timed publication skipped"),
    "revision.scheduled_publication_failed": _l("Timed publication refused"),
    "deadline.approval_form.escalated": _l("Approval form deadline: reminder sent"),
    "deadline.publication.escalated": _l("Publication deadline: reminder sent"),
    "cap.import": _l("CAP file imported"),
    "cap.import_rejected": _l("CAP file refused"),
    # Sending
    "dispatch.replay": _l("Dead letters sent again"),
    "unit_tasks.sent": _l("Member units tasked"),
    "school.notices": _l("School notices sent"),
    "school.acknowledged": _l("School confirmed"),
    "school.reminded": _l("Silent schools reminded"),
    "school.reported": _l("Silent schools reported"),
    "schools.import": _l("Schools imported"),
    "enterprises.import": _l("Enterprises imported"),
    "enterprise.duties": _l("Enterprise duties sent"),
    "enterprise.duty_received": _l("Enterprise received its duty"),
    "enterprise.duty_in_place": _l("Enterprise's measures in place"),
    "enterprise.reminded": _l("Enterprises not in place reminded"),
    "enterprise.reported": _l("Enterprises not in place reported"),
    "enterprise_plan.create": _l("Enterprise plan drafted"),
    "enterprise_plan.save": _l("Enterprise plan saved"),
    "enterprise_plan.approve": _l("Enterprise plan approved"),
    "enterprise_plan.supersede": _l("Enterprise plan superseded"),
    "enterprise_plan.exported": _l("Enterprise plan downloaded"),
    "enterprises.lines_import": _l("Production lines imported"),
    "schools.export": _l("School notices exported"),
    # Daily reports and records
    "daily_report.filed": _l("Daily report filed"),
    "daily_report.amended": _l("Daily report corrected"),
    "daily_report.reminded": _l("Daily report reminders sent"),
    "daily_report.closed": _l("Daily reports closed at 10:00"),
    "daily_report.links_sent": _l("Daily report links sent"),
    "duty_contact.add": _l("Duty contact added"),
    "duty_contact.deactivate": _l("Duty contact removed"),
    "records.summary_saved": _l("Response statistics summary saved"),
    "records.written_report_saved": _l("Written report saved"),
    "records.drill_saved": _l("Drill record saved"),
    "records.evaluation_saved": _l("Effect evaluation saved"),
    "records.exported": _l("Records exported"),
    # Tip-offs
    "tipoff.received": _l("Tip-off received"),
    "tipoff.accept": _l("Tip-off accepted"),
    "tipoff.not_accept": _l("Tip-off not accepted"),
    "tipoff.mark_duplicate": _l("Tip-off marked as duplicate"),
    "tipoff.refer": _l("Tip-off referred to a member unit"),
    "tipoff.start_verifying": _l("Tip-off signed for"),
    "tipoff.submit_reply": _l("Tip-off reply submitted"),
    "tipoff.approve_reply": _l("Tip-off reply approved"),
    "tipoff.return_reply": _l("Tip-off reply returned"),
    "tipoff.extend": _l("Tip-off deadline extended"),
    "tipoff.publish_clarification": _l("Clarification published"),
    "tipoff.propose_reward": _l("Reward proposed"),
    "tipoff.approve_reward": _l("Reward approved"),
    "tipoff.record_payment": _l("Reward payment recorded"),
    "tipoff.identity_viewed": _l("Reporter identity viewed"),
    "tipoff.photo_public": _l("Tip-off photo made public"),
    "tipoff.photo_private": _l("Tip-off photo made private"),
    "tipoff.export": _l("Tip-offs exported"),
    # Screens, robots, webhooks, integrations
    "screen.created": _l("Screen added"),
    "screen.changed": _l("Screen changed"),
    "screen.token_replaced": _l("Screen token replaced"),
    "screen.offline": _l("Screens offline"),
    "screen.online": _l("Screen back online"),
    "screen.displayed": _l("Screen displaying a new version"),
    "robot.create": _l("Robot added"),
    "robot.update": _l("Robot changed"),
    "robot.active": _l("Robot switched on or off"),
    "webhook.create": _l("Webhook added"),
    "webhook.update": _l("Webhook changed"),
    "webhook.active": _l("Webhook switched on or off"),
    "integration.create": _l("Integration added"),
    "integration.update": _l("Integration changed"),
    "integration.token_issue": _l("Integration token issued"),
    "integration.token_revoke": _l("Integration token revoked"),
    "integration.consent": _l("Integration confirmed by the user it acts as"),
    "integration.consent_withdraw": _l("Integration confirmation withdrawn"),
    # Settings kept by the administrator
    "settings.member_unit": _l("Member unit saved"),
    "settings.township": _l("Township saved"),
    "settings.expert": _l("Expert saved"),
    "settings.user": _l("User saved"),
    "settings.level": _l("Level saved"),
    "settings.audience_rules": _l("Audience rules changed"),
    "audience.import": _l("Recipients imported"),
    "audience.recipient_active": _l("Recipient switched on or off"),
    # The platform itself
    "scheduler.job_failed": _l("Timed job failed"),
    "public_export.failed": _l("Public site export failed"),
    "public_export.recovered": _l("Public site export recovered"),
    "scheduler.late_run": _l("Timed job ran late"),
    "audit.export": _l("Audit log exported"),
    "demo.seeded": _l("Demo data loaded"),
}

# A code not listed above (recorded by a newer module) is named by its family.
FAMILIES = {
    "login": _l("Log-in"),
    "revision": _l("Warning step"),
    "deadline": _l("Deadline"),
    "tipoff": _l("Tip-off"),
    "school": _l("Schools"),
    "daily_report": _l("Daily reports"),
    "records": _l("Records"),
    "screen": _l("LED screens"),
    "robot": _l("Robots"),
    "webhook": _l("Webhooks"),
    "integration": _l("Integrations"),
    "settings": _l("Settings"),
    "audience": _l("Audiences"),
    "scheduler": _l("Scheduler"),
}

# Actions done through the JSON API are recorded as api.<the domain's own action>.
API_PREFIX = "api."
API_ACTIONS = {
    "warning.create": _l("Draft created"),
    "revision.create": _l("Draft created"),
    "revision.edit": _l("Draft edited"),
    "consultation.create": _l("Consultation recorded"),
}

DELIVERY_STATUSES = {
    "pending": _l("Waiting"),
    "sending": _l("Sending"),
    "accepted": _l("Accepted by gateway"),
    "sent": _l("Sent to carrier"),
    "delivered": _l("Delivered"),
    "undelivered": _l("Undelivered"),
    "failed": _l("Failed"),
    "dead": _l("Dead letter"),
    "expired": _l("Expired"),
    "unreachable": _l("Unreachable"),
}

# A warning step's states and kinds, as the console's badges name them.
REVISION_STATES = {
    "draft": _l("Draft"),
    "pending_approval": _l("Pending approval"),
    "approved": _l("Approved"),
    "published": _l("Published"),
    "returned": _l("Returned"),
    "rejected": _l("Rejected"),
}
REVISION_ACTIONS = {
    "issue": _l("Issue"),
    "upgrade": _l("Upgrade"),
    "downgrade": _l("Downgrade"),
    "extend": _l("Extend"),
    "lift": _l("Lift"),
}
DUTIES = {"unit_liaison": _l("Unit liaison"), "office_director": _l("Office director")}

# Events recorded by the platform itself carry one of these names instead of a person.
SYSTEM_ACTORS = {
    "scheduler": _l("Scheduler"),
    "system": _l("System"),
    "gateway": _l("Screen gateway"),
    "flask seed-demo": _l("Demo set-up"),
}
# Events from the public site (a citizen's tip-off) name nobody.
PUBLIC_ACTOR = _l("Public site")

# How a school confirmed a notice, or a unit filed its daily report.
VIA = {
    "link": _l("by link"),
    "sms": _l("by SMS reply"),
    "console": _l("in the console"),
}


def event_label(code: str) -> str:
    if code in EVENTS:
        return str(EVENTS[code])
    if code.startswith(API_PREFIX):
        inner = code[len(API_PREFIX) :]
        return str(_l("Through the API: %(action)s", action=event_label(inner) if inner else code))
    family = FAMILIES.get(code.split(".", 1)[0])
    return f"{family} ({code})" if family is not None else code


def delivery_status_label(code: str) -> str:
    return str(DELIVERY_STATUSES.get(code, code))


def actor_label(actor_id: int | None, actor_name: str) -> str:
    """The person's name as recorded, or what the platform calls itself."""
    if actor_id is None and actor_name in SYSTEM_ACTORS:
        return str(SYSTEM_ACTORS[actor_name])
    if actor_id is None and not actor_name:
        return str(PUBLIC_ACTOR)
    return actor_name


def role_label(code: str | None) -> str:
    return str(ROLE_NAMES.get(code or "", code or ""))


def via_label(code: str | None) -> str:
    return str(VIA.get(code or "", code or ""))


def revision_state_label(code: str | None) -> str:
    return str(REVISION_STATES.get(code or "", code or ""))


def revision_action_label(code: str | None) -> str:
    return str(REVISION_ACTIONS.get(code or "", code or ""))


def duty_label(code: str | None) -> str:
    return str(DUTIES.get(code or "", code or ""))
