"""Who is making a request, and what they may do.

Shared by authentication (which builds a ``Principal``), the API routers (which
check permissions and camera scope) and redaction (which checks ``unmask``).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from kuzet.core.roles import Role


class Permission(enum.StrEnum):
    """Things a user may be allowed to do; roles grant sets of them."""

    VIEW_LIVE = "view_live"
    VIEW_EVENTS = "view_events"
    HANDLE_EVENTS = "handle_events"  # acknowledge, dispatch, resolve, false alarm
    SUPERVISE_ALARMS = "supervise_alarms"  # reassign, escalate, take skipped alarms
    SEARCH = "search"
    EXPORT = "export"
    UNMASK = "unmask"
    CONFIRM_MATCH = "confirm_match"
    MANAGE_WATCHLISTS = "manage_watchlists"
    MANAGE_RULES = "manage_rules"
    MANAGE_CAMERAS = "manage_cameras"
    MANAGE_USERS = "manage_users"
    MANAGE_RETENTION = "manage_retention"
    MANAGE_INTEGRATIONS = "manage_integrations"  # webhook deliveries, dead letters
    LEGAL_HOLD = "legal_hold"
    VIEW_AUDIT = "view_audit"


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated user (or API token acting for one).

    Attributes:
        user_id: Stable user id.
        username: Login name (what the audit trail shows).
        role: The user's role.
        permissions: Effective permissions (role's, narrowed by a token's scopes).
        cameras: Camera ids the user may see; None means every camera.
        sites: Site names the user may see; None means every site.
        token_id: Id of the API token used, if any.
        unmask_until: UNIX time until which an unmask grant lasts, if any.
    """

    user_id: str
    username: str
    role: Role
    permissions: frozenset[Permission]
    cameras: frozenset[str] | None = None
    sites: frozenset[str] | None = None
    token_id: str | None = None
    unmask_until: float | None = None

    def can(self, permission: Permission) -> bool:
        """True when the principal holds ``permission``."""
        return permission in self.permissions

    def sees_camera(self, camera_id: str, site: str | None = None) -> bool:
        """True when the camera is within the principal's scope."""
        if self.cameras is not None and camera_id in self.cameras:
            return True
        if self.sites is not None and site is not None and site in self.sites:
            return True
        return self.cameras is None and self.sites is None

    def visible(self, camera_ids: Iterable[str], sites: dict[str, str | None]) -> list[str]:
        """The subset of ``camera_ids`` within scope (``sites``: camera -> site)."""
        return [c for c in camera_ids if self.sees_camera(c, sites.get(c))]
