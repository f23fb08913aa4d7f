"""The console's navigation: one table of pages, and each role's home.

``base.html`` renders :data:`NAVIGATION` for the signed-in user, showing only
the entries whose ``allowed`` predicate the user passes, so a page the user
could only get 403 from is never linked. Adding a console page is one
:class:`NavEntry` here (plus its route); the header, the phone menu and the
navigation tests pick it up.

``/`` sends each user to :func:`home_for` their role: the place their work
starts (operators the alarm queue, auditors the audit trail, ...).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kuzet.core.roles import Role
from kuzet.privacy.principal import Permission, Principal

Allowed = Callable[[Principal], bool]


def any_of(*permissions: Permission) -> Allowed:
    """A predicate: the user holds at least one of ``permissions``.

    Example:
        >>> from kuzet.privacy.roles import permissions_for
        >>> user = Principal("u1", "ana", Role.ANALYST, permissions_for(Role.ANALYST))
        >>> any_of(Permission.SEARCH, Permission.VIEW_AUDIT)(user)
        True
    """
    return lambda user: any(user.can(p) for p in permissions)


@dataclass(frozen=True, slots=True)
class NavEntry:
    """One page in the header navigation.

    Attributes:
        path: Where the link goes.
        label: Its text, in English (the msgid; ``base.html`` translates it with ``_()``).
        group: The menu group it sits in (``operations``, ``search``, ``lists``, ``admin``,
            ``audit``); entries of one group are shown together.
        allowed: Who sees the link (the page's own permission check stays on the route).
        testid: ``data-testid`` of the link.
        pages: ``page`` names (template context) on which the link is marked active;
            empty = the last part of ``path``.
    """

    path: str
    label: str
    group: str
    allowed: Allowed
    testid: str
    pages: tuple[str, ...] = ()

    def active_on(self, page: str | None) -> bool:
        """Whether the link is the current page's."""
        return page in (self.pages or (self.path.rstrip("/").rsplit("/", 1)[-1],))


P = Permission


def N_(text: str) -> str:  # noqa: N802 - Babel's default keyword for deferred messages
    """Marks a label for the message catalogues; ``base.html`` translates it when rendered."""
    return text


NAVIGATION: tuple[NavEntry, ...] = (
    NavEntry("/admin", N_("Admin"), "admin",
             any_of(P.MANAGE_USERS, P.MANAGE_CAMERAS, P.MANAGE_RULES), "nav-admin", ("admin",)),
    NavEntry("/field", N_("Field app"), "operations",
             any_of(P.HANDLE_EVENTS), "nav-field", ("field",)),
    NavEntry("/queue", N_("Queue"), "operations", any_of(P.HANDLE_EVENTS), "nav-queue",
             ("queue", "incident")),
    NavEntry("/cameras", N_("Cameras"), "operations", any_of(P.VIEW_LIVE), "nav-cameras",
             ("cameras", "live")),
    NavEntry("/map", N_("Map"), "operations", any_of(P.VIEW_EVENTS, P.VIEW_LIVE), "nav-map",
             ("map",)),
    NavEntry("/cameras/health", N_("Camera health"), "operations",
             any_of(P.MANAGE_CAMERAS, P.HANDLE_EVENTS), "nav-camera-health", ("camera-health",)),
    NavEntry("/matches", N_("Matches"), "operations", any_of(P.CONFIRM_MATCH), "nav-matches"),
    NavEntry("/search", N_("Search"), "search", any_of(P.SEARCH), "nav-search", ("search",)),
    NavEntry("/history", N_("History"), "search", any_of(P.SEARCH), "nav-history"),
    NavEntry("/plates", N_("Plate reads"), "search", any_of(P.SEARCH), "nav-plates"),
    NavEntry("/search/faces", N_("Face search"), "search", any_of(P.SEARCH), "nav-face-search",
             ("face-search",)),
    NavEntry("/analytics", N_("Analytics"), "search",
             any_of(P.SUPERVISE_ALARMS, P.SEARCH, P.MANAGE_RULES), "nav-analytics"),
    NavEntry("/reports/handover", N_("Handover"), "search",
             any_of(P.SUPERVISE_ALARMS, P.SEARCH, P.HANDLE_EVENTS), "nav-handover"),
    NavEntry("/watchlists", N_("Watchlists"), "lists",
             any_of(P.MANAGE_WATCHLISTS, P.CONFIRM_MATCH), "nav-watchlists",
             ("watchlists", "watchlist")),
    NavEntry("/hotlists", N_("Hotlists"), "lists", any_of(P.MANAGE_WATCHLISTS), "nav-hotlists"),
    NavEntry("/audit", N_("Audit trail"), "audit", any_of(P.VIEW_AUDIT), "nav-audit"),
)  # fmt: skip

# Where ``/`` sends each role. A role missing here (none today) gets the first
# navigation entry it may use.
HOMES: dict[Role, str] = {
    Role.OPERATOR: "/queue",
    Role.SUPERVISOR: "/queue",
    Role.ANALYST: "/search",
    Role.AUDITOR: "/audit",
    Role.ADMIN: "/admin",
    Role.FIELD_OFFICER: "/field",
}


def entries_for(user: Principal | None) -> list[NavEntry]:
    """The navigation entries ``user`` may use, in table order (none when signed out).

    Example:
        >>> from kuzet.privacy.roles import permissions_for
        >>> auditor = Principal("u1", "aud", Role.AUDITOR, permissions_for(Role.AUDITOR))
        >>> [e.path for e in entries_for(auditor)]
        ['/audit']
    """
    if user is None:
        return []
    return [entry for entry in NAVIGATION if entry.allowed(user)]


def home_for(user: Principal) -> str:
    """The path ``/`` redirects ``user`` to.

    Example:
        >>> from kuzet.privacy.roles import permissions_for
        >>> home_for(Principal("u1", "olga", Role.OPERATOR, permissions_for(Role.OPERATOR)))
        '/queue'
    """
    home = HOMES.get(user.role)
    if home is not None:
        return home
    allowed = entries_for(user)
    return allowed[0].path if allowed else "/auth/me"
