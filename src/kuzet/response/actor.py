"""Who acts on an alarm or incident: a signed-in user or the server itself."""

from __future__ import annotations

from dataclasses import dataclass

from kuzet.privacy.principal import Permission, Principal


@dataclass(frozen=True, slots=True)
class Actor:
    """The author of a change (history rows and audit records name them).

    Attributes:
        username: Login name; None for the server itself (time limits).
        user_id: Stable user id, if a user.
        ip: Client address, if known.
        supervisor: May assign, escalate and take skipped alarms
            (``supervise_alarms``); the server counts as one.
        units: Call signs of the units the user is on duty in (field officers);
            they may move alarms dispatched to those units (``Move.unit_may``).
    """

    username: str | None
    user_id: str | None = None
    ip: str | None = None
    supervisor: bool = False
    units: tuple[str, ...] = ()

    @classmethod
    def system(cls) -> Actor:
        """The server itself (escalation, correlation)."""
        return cls(None, supervisor=True)

    @classmethod
    def of(cls, principal: Principal, ip: str | None = None) -> Actor:
        """The actor behind an authenticated request."""
        supervisor = principal.can(Permission.SUPERVISE_ALARMS)
        return cls(principal.username, principal.user_id, ip, supervisor)

    @property
    def name(self) -> str:
        """Username, or ``system``."""
        return self.username or "system"
