"""Who sees school contacts' whole numbers (heads, duty contacts) and may export them.

Only those who call schools need them: the command office, the administrator, and the users of
the member unit in charge of schools (MemberUnit.oversees_schools; the education bureau, 县教科局
in Yu County, which calls the silent ones). Every other member unit, the publicity group and the
leaders see numbers masked but for the last four digits.
"""

from __future__ import annotations

from notify.models import Role, User

FULL_NUMBER_ROLES = frozenset({Role.OFFICE_STAFF.value, Role.ADMIN.value})


def sees_full_numbers(user: User) -> bool:
    if user.role in FULL_NUMBER_ROLES:
        return True
    unit = user.member_unit
    return user.role == Role.MEMBER_UNIT.value and unit is not None and unit.oversees_schools
