"""Who may call what: every console and API route × every role (and anonymous), from the app's
URL map. A route without a row below fails `test_every_route_has_a_row`.

Adding a route: add one row, `"<endpoint>": <who>`, to CONSOLE or API. The failure message
suggests it from the view's declared roles (admin.access.roles_required keeps them on the view).

Each route is requested (every method it takes, with ids that name nothing and an empty body) as
each principal, and the answer must match its row: allowed → not 401/403 (a 404 for the missing
object is fine: the door opened) and no server error; forbidden → 403; anonymous on the console →
a redirect to the log-in page, anonymous on the API → 401.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from notify.extensions import db
from notify.models import MemberUnit, Role
from tests.conftest import login
from tests.notify.api.conftest import make_token

OFFICE = Role.OFFICE_STAFF.value
DEPUTY = Role.DEPUTY_COMMANDER.value
COMMANDER = Role.COMMANDER.value
PUBLICITY = Role.PUBLICITY.value
UNIT = Role.MEMBER_UNIT.value
ADMIN = Role.ADMIN.value

ROLES = (OFFICE, DEPUTY, COMMANDER, PUBLICITY, UNIT, ADMIN)
LOGIN_FOR_ROLE = {
    OFFICE: "office",
    DEPUTY: "deputy",
    COMMANDER: "commander",
    PUBLICITY: "publicity",
    UNIT: "unit",
    ADMIN: "admin",
}
PUBLIC = "public"  # no log-in, no token
ANY = frozenset(ROLES)  # every logged-in user; the view or the lifecycle guard may refuse later


def roles(*names: str) -> frozenset[str]:
    return frozenset(names)


APPROVERS_AND_ADMIN = roles(DEPUTY, COMMANDER, ADMIN)
RECORD_READERS = roles(OFFICE, DEPUTY, COMMANDER, ADMIN)
DISPATCH_VIEWERS = ANY - {UNIT}
TIPOFF_READERS = roles(OFFICE, DEPUTY, COMMANDER, UNIT)

CONSOLE: dict[str, str | frozenset[str]] = {
    # Signing in and the user's own account
    "admin.login": PUBLIC,
    "admin.login_code": PUBLIC,
    "admin.logout": ANY,
    "admin.change_password": ANY,
    "admin.second_factor": APPROVERS_AND_ADMIN,
    # Warnings, revisions, approvals (decide/submit: the lifecycle guard checks the role)
    "admin.index": ANY,
    "admin.approvals": ANY,
    "admin.warning": ANY,
    "admin.revision": ANY,
    "admin.new_warning": roles(OFFICE),
    "admin.revise": roles(OFFICE),
    "admin.edit_revision": roles(OFFICE),
    "admin.submit": ANY,
    "admin.withdraw": roles(OFFICE),
    "admin.decide": ANY,
    "admin.confirm_publish": roles(OFFICE),
    "admin.publish": roles(OFFICE),
    "admin.schedule_publication": roles(OFFICE),
    "admin.sms_preview": roles(OFFICE),
    "admin.cap_import": roles(OFFICE),
    "admin.consultations": ANY,
    "admin.new_consultation": roles(OFFICE),
    # Dispatch
    "admin.dispatch": DISPATCH_VIEWERS,
    "admin.dispatch_json": DISPATCH_VIEWERS,
    "admin.replay_dead_letters": roles(OFFICE, ADMIN),
    # Audiences
    "admin.audiences": roles(OFFICE, ADMIN),
    "admin.audience_group": roles(OFFICE, ADMIN),
    "admin.audience_csv_template": roles(OFFICE, ADMIN),
    "admin.import_recipients": roles(OFFICE, ADMIN),
    "admin.toggle_recipient": roles(ADMIN),
    "admin.save_audience_rules": roles(ADMIN),
    # Schools
    "admin.schools": ANY,
    "admin.enterprises": ANY,
    "admin.enterprise": ANY,
    "admin.enterprises_template": ANY,
    "admin.production_lines_template": ANY,
    "admin.import_enterprises": roles(OFFICE, ADMIN),
    "admin.import_production_lines": roles(OFFICE, ADMIN),
    "admin.enterprise_plans": ANY,
    "admin.new_enterprise_plan": roles(OFFICE, ADMIN),
    "admin.enterprise_plan": ANY,
    "admin.save_enterprise_plan": roles(OFFICE, ADMIN),
    "admin.approve_enterprise_plan": roles(OFFICE, DEPUTY, COMMANDER),
    "admin.enterprise_plan_pdf": ANY,
    "admin.enterprise_duty_dashboard": DISPATCH_VIEWERS,
    "admin.enterprise_duty_dashboard_json": DISPATCH_VIEWERS,
    "admin.enterprise_duty_export": roles(OFFICE, ADMIN),
    "admin.schools_template": ANY,
    "admin.import_schools": roles(OFFICE, ADMIN),
    "admin.school_dashboard": ANY,
    "admin.school_dashboard_json": ANY,
    # Whole phone numbers: the office, the administrator and the users of the unit in charge of
    # schools (not the test's member unit; tests/admin/test_schools_console.py has theirs).
    "admin.school_export": roles(OFFICE, ADMIN),
    # Records, drills, daily reports
    "admin.records": RECORD_READERS,
    "admin.save_summary": roles(OFFICE),
    "admin.save_written_report": roles(OFFICE),
    "admin.export_statistics": RECORD_READERS,
    "admin.export_written_report": RECORD_READERS,
    "admin.drill": RECORD_READERS,
    "admin.export_drill": RECORD_READERS,
    "admin.daily_reports": RECORD_READERS | {UNIT},
    "admin.daily_report_day": RECORD_READERS,
    "admin.file_daily_report": roles(UNIT),
    "admin.daily_report_attachment": RECORD_READERS | {UNIT},
    "admin.duty_contacts": roles(OFFICE, ADMIN),
    # Tip-offs
    "admin.tipoffs": TIPOFF_READERS,
    "admin.tipoff": TIPOFF_READERS,
    "admin.tipoff_act": TIPOFF_READERS,
    "admin.tipoff_photo": TIPOFF_READERS,
    "admin.tipoff_identity": roles(OFFICE),
    "admin.tipoff_photo_public": roles(OFFICE),
    "admin.tipoff_export": roles(OFFICE),
    "admin.tipoff_rewards": roles(OFFICE, DEPUTY, COMMANDER),
    # Channels: screens, robots, webhooks
    "admin.screens": roles(OFFICE, PUBLICITY, ADMIN),
    "admin.screen_detail": roles(OFFICE, PUBLICITY, ADMIN),
    "admin.new_screen": roles(ADMIN),
    "admin.save_screen": roles(ADMIN),
    "admin.rotate_screen_token": roles(ADMIN),
    "admin.robots": roles(OFFICE, ADMIN),
    "admin.edit_robot": roles(ADMIN),
    "admin.toggle_robot": roles(ADMIN),
    "admin.webhooks": roles(OFFICE, ADMIN),
    "admin.edit_webhook": roles(ADMIN),
    "admin.toggle_webhook": roles(ADMIN),
    # Directory and settings
    "admin.units": ANY,
    "admin.edit_unit": roles(ADMIN),
    "admin.edit_township": roles(ADMIN),
    "admin.new_expert": roles(ADMIN),
    "admin.levels": ANY,
    "admin.edit_level": roles(ADMIN),
    "admin.users": roles(ADMIN),
    "admin.edit_user": roles(ADMIN),
    "admin.audit_log": roles(ADMIN),
    "admin.audit_log_csv": roles(ADMIN),
    # Integrations (the JSON API's clients) and a user's consent to one acting as them
    "admin.integrations_list": roles(ADMIN),
    "admin.edit_integration": roles(ADMIN),
    "admin.issue_token": roles(ADMIN),
    "admin.revoke_token": roles(ADMIN),
    "admin.integration_consents": ANY,
    "admin.confirm_integration": ANY,
    "admin.withdraw_integration_consent": ANY,
}

# Views that refuse some of the roles their roles_required lets in, by a check of their own.
DECLARED_WIDER = {
    "admin.school_export": ANY,
}

# API principals are tokens holding one scope each; a row names the scopes that open the route.
SCOPES = ("read", "read_drafts", "draft", "publish")
READ = frozenset({"read"})
READ_DRAFTS = frozenset({"read_drafts", "draft"})  # drafting implies reading drafts
DRAFT = frozenset({"draft"})
PUBLISH = frozenset({"publish"})
NO_TOKEN = frozenset[str]()  # decisions are taken in the console only: every token is refused

API: dict[str, str | frozenset[str]] = {
    "api.openapi_json": PUBLIC,
    "api.docs": PUBLIC,
    "api.me": READ,
    "api.kinds": READ,
    "api.townships": READ,
    "api.warnings": READ,
    "api.warning": READ,
    "api.new_warning": DRAFT,
    "api.new_revision": DRAFT,
    "api.revisions": READ,
    "api.revision": READ,
    "api.edit_revision": DRAFT,
    "api.submit": DRAFT,
    "api.withdraw": DRAFT,
    "api.approve": NO_TOKEN,
    "api.return_": NO_TOKEN,
    "api.reject": NO_TOKEN,
    "api.publish": PUBLISH,
    "api.deliveries": READ,
    "api.cap": READ,
    "api.consultations": READ_DRAFTS,
    "api.consultation": READ_DRAFTS,
    "api.new_consultation": DRAFT,
}

# Values for the URL's variables: ids that name nothing, and plausible words.
WORDS = {"kind_code": "heavy_pollution", "action": "upgrade", "fmt": "xlsx", "which": "record"}
MISSING_ID = 999_999


def _routes(app, blueprint: str):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] != blueprint:
            continue
        values = {
            name: MISSING_ID
            if type(conv).__name__.lower().startswith(("int", "id"))
            else WORDS.get(name, "x")
            for name, conv in rule._converters.items()
        }
        url = rule.build(values, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def _suggestion(app, endpoint: str) -> str:
    declared = getattr(app.view_functions[endpoint], "allowed_roles", None)
    if declared is None:
        return f'"{endpoint}": ?,  # no roles_required on the view: declare who may call it'
    return f'"{endpoint}": {sorted(declared) or "ANY"},'


def test_every_route_has_a_row(app):
    seen = {endpoint for bp in ("admin", "api") for endpoint, _m, _u in _routes(app, bp)}
    missing = sorted(seen - set(CONSOLE) - set(API))
    assert not missing, "routes without a row in the authorization matrix:\n" + "\n".join(
        _suggestion(app, e) for e in missing
    )
    stale = sorted((set(CONSOLE) | set(API)) - seen)
    assert not stale, f"rows for routes that no longer exist: {stale}"


def test_console_routes_declare_the_roles_of_their_row(app):
    """The decorator is what enforces the row; reading it catches a view whose roles_required sits
    above @bp.route (the route then registers the undecorated view) or differs from the row."""
    wrong = []
    for endpoint, rule in CONSOLE.items():
        if endpoint not in app.view_functions:
            continue
        declared = getattr(app.view_functions[endpoint], "allowed_roles", None)
        if declared is not None:
            declared = declared or ANY  # roles_required() with no roles: every logged-in user
        if declared != (None if rule == PUBLIC else DECLARED_WIDER.get(endpoint, rule)):
            wrong.append(f"{endpoint}: declared {sorted(declared or [])}, row {rule}")
    assert not wrong, "\n".join(wrong)


def _call(client, method: str, url: str, **kwargs):
    try:
        return client.open(url, method=method, buffered=True, **kwargs)
    except Exception as exc:  # a server error: TESTING lets it through instead of a 500
        return exc


def _status(answer) -> str:
    if isinstance(answer, Exception):
        return f"error {type(answer).__name__}: {answer}"
    return str(answer.status_code)


def _console_verdict(rule, principal: str, answer) -> str | None:
    """What is wrong with this answer, or None."""
    if isinstance(answer, Exception) or answer.status_code >= 500:
        return "server error"
    # Flask-Login's way of saying "log in first" (logging out also ends on the log-in page, without next).
    to_login = answer.status_code in (302, 303) and "/admin/login?next=" in answer.headers.get("Location", "")
    if rule == PUBLIC:
        return "refused" if answer.status_code in (401, 403) else None
    if principal == "anonymous":
        return None if to_login else "not sent to the log-in page"
    if principal in rule:
        return "refused" if answer.status_code in (401, 403) or to_login else None
    return None if answer.status_code == 403 else "not refused with 403"


@pytest.fixture
def console_clients(app, client, sample_users):
    # The member unit's user belongs to a unit, as in life, so their own pages open.
    sample_users["unit"].member_unit = db.session.scalars(select(MemberUnit)).first()
    db.session.commit()
    clients = {"anonymous": client}
    for role, username in LOGIN_FOR_ROLE.items():
        clients[role] = app.test_client()
        assert login(clients[role], username).status_code == 302
    return clients


def test_every_console_route_answers_every_role_as_its_row_says(app, console_clients, sample_users):
    wrong = []
    for endpoint, method, url in _routes(app, "admin"):
        rule = CONSOLE.get(endpoint)
        if rule is None:
            continue  # reported by test_every_route_has_a_row
        for principal, client in console_clients.items():
            answer = _call(client, method, url, data={})
            problem = _console_verdict(rule, principal, answer)
            if problem:
                wrong.append(f"{method} {url} ({endpoint}) as {principal}: {_status(answer)}, {problem}")
            if endpoint == "admin.logout" and principal != "anonymous":
                login(client, LOGIN_FOR_ROLE[principal])
    assert not wrong, "\n".join(wrong)


def _api_verdict(rule, principal: str, answer) -> str | None:
    if isinstance(answer, Exception) or answer.status_code >= 500:
        return "server error"
    if rule == PUBLIC:
        return "refused" if answer.status_code in (401, 403) else None
    if principal == "anonymous":
        return None if answer.status_code == 401 else "not refused with 401"
    if principal in rule:
        return "refused" if answer.status_code in (401, 403) else None
    return None if answer.status_code == 403 else "not refused with 403"


def test_every_api_route_answers_every_scope_as_its_row_says(client, sample_users):
    tokens = {
        scope: make_token(
            sample_users, f"only {scope}", [scope], "office" if scope in ("draft", "publish") else None
        )
        for scope in SCOPES
    }
    principals = {"anonymous": {}} | {s: {"Authorization": f"Bearer {t}"} for s, t in tokens.items()}
    wrong = []
    for endpoint, method, url in _routes(client.application, "api"):
        rule = API.get(endpoint)
        if rule is None:
            continue
        for principal, headers in principals.items():
            body = {"json": {}} if method in ("POST", "PATCH", "PUT") else {}
            answer = _call(client, method, url, headers=headers, **body)
            problem = _api_verdict(rule, principal, answer)
            if problem:
                wrong.append(f"{method} {url} ({endpoint}) as {principal}: {_status(answer)}, {problem}")
    assert not wrong, "\n".join(wrong)
