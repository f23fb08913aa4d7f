"""The permission matrix: which :class:`Permission` each :class:`Role` grants.

Separation of duties is deliberate: administrators configure the system but do
not unmask, export or read the audit trail; auditors read the audit trail and
nothing else. ``docs/security.md`` shows this table; a test keeps them in sync.
"""

from __future__ import annotations

from kuzet.core.roles import Role
from kuzet.privacy.principal import Permission

P = Permission

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OPERATOR: frozenset({P.VIEW_LIVE, P.VIEW_EVENTS, P.HANDLE_EVENTS}),
    Role.SUPERVISOR: frozenset(
        {
            P.VIEW_LIVE,
            P.VIEW_EVENTS,
            P.HANDLE_EVENTS,
            P.SUPERVISE_ALARMS,
            P.SEARCH,
            P.UNMASK,
            P.CONFIRM_MATCH,
        }
    ),
    Role.ANALYST: frozenset({P.VIEW_EVENTS, P.SEARCH, P.EXPORT, P.UNMASK, P.LEGAL_HOLD}),
    Role.FIELD_OFFICER: frozenset({P.VIEW_LIVE, P.VIEW_EVENTS, P.HANDLE_EVENTS}),
    Role.ADMIN: frozenset(
        {
            P.VIEW_LIVE,
            P.VIEW_EVENTS,
            P.MANAGE_WATCHLISTS,
            P.MANAGE_RULES,
            P.MANAGE_CAMERAS,
            P.MANAGE_USERS,
            P.MANAGE_RETENTION,
            P.MANAGE_INTEGRATIONS,
            P.LEGAL_HOLD,
        }
    ),
    Role.AUDITOR: frozenset({P.VIEW_AUDIT}),
}


def permissions_for(role: Role) -> frozenset[Permission]:
    """The permissions ``role`` grants.

    Example:
        >>> Permission.VIEW_AUDIT in permissions_for(Role.AUDITOR)
        True
    """
    return ROLE_PERMISSIONS[role]


def parse_role(name: str) -> Role:
    """The role called ``name``.

    Raises:
        ValueError: If no role has that name (the message lists the roles).
    """
    try:
        return Role(name)
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise ValueError(f"unknown role {name!r}; expected one of: {roles}") from None


def parse_permissions(names: list[str]) -> frozenset[Permission]:
    """Permissions from their names.

    Raises:
        ValueError: On an unknown name (the message lists the permissions).
    """
    known = {p.value: p for p in Permission}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"unknown permissions {unknown}; expected some of: {sorted(known)}")
    return frozenset(known[n] for n in names)


def matrix_markdown() -> str:
    """The matrix as a Markdown table (roles as columns), as in ``docs/security.md``."""
    roles = list(Role)
    lines = ["| permission | " + " | ".join(r.value for r in roles) + " |"]
    lines.append("|---" * (len(roles) + 1) + "|")
    for perm in Permission:
        marks = ["✓" if perm in ROLE_PERMISSIONS[r] else "" for r in roles]
        lines.append(f"| `{perm.value}` | " + " | ".join(marks) + " |")
    return "\n".join(lines)
