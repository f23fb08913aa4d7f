"""Who sees unredacted video: the principal's unmask permission plus an active grant.

The principal comes from one dependency, :func:`request_principal`, which reads
what authentication put on ``request.state`` (``api.auth.current_principal``
runs first on every protected router). Everything else is redacted by default.
"""

from __future__ import annotations

import time
from contextlib import AbstractContextManager
from typing import Annotated, Any

from fastapi import Depends, Request

from kuzet.api.deps import AppDeps
from kuzet.api.live import DEFAULT_WATCH_FPS, LiveView
from kuzet.core.roles import Role
from kuzet.core.types import CameraHealth
from kuzet.privacy.principal import Permission, Principal
from kuzet.privacy.unmask import UnmaskGrants

RECHECK_S = 2.0  # a live stream re-checks its grant this often (expiry, early end)


ANONYMOUS = Principal("", "anonymous", Role.OPERATOR, frozenset())


def request_principal(request: Request) -> Principal:
    """The signed-in principal (set by authentication), else an anonymous one.

    Anonymous holds no permission, so it always gets redacted frames and 403 on
    unmask; rejecting unauthenticated calls is authentication's job.
    """
    principal = getattr(request.state, "principal", None)
    return principal if isinstance(principal, Principal) else ANONYMOUS


PrincipalDep = Annotated[Principal, Depends(request_principal)]


def unmask_until(
    deps: AppDeps, principal: Principal, camera_id: str | None, event_id: str | None = None
) -> float | None:
    """UNIX time until which ``principal`` may see this camera/event unmasked, or None."""
    if not principal.can(Permission.UNMASK):
        return None
    now = time.time()
    ends: list[float] = []
    if principal.unmask_until is not None and principal.unmask_until > now:
        ends.append(principal.unmask_until)
    stored = UnmaskGrants(deps.store.engine).until(principal.user_id, camera_id, event_id, now)
    ends += [stored] if stored is not None else []
    return max(ends) if ends else None


class ViewerLive:
    """One viewer's :class:`LiveView`: raw frames only while their grant is active."""

    def __init__(self, deps: AppDeps, principal: Principal, camera_id: str) -> None:
        """Check the grant now and every ``RECHECK_S`` seconds while streaming."""
        self._deps, self._principal, self._camera_id = deps, principal, camera_id
        self._live: LiveView = deps.live
        self._until: float | None = None
        self._checked = 0.0

    def unmasked(self) -> bool:
        """True while the viewer's grant lasts (expiry enforced server-side)."""
        now = time.monotonic()
        if now - self._checked >= RECHECK_S:
            self._checked = now
            self._until = unmask_until(self._deps, self._principal, self._camera_id)
        return self._until is not None and time.time() < self._until

    def camera_health(self) -> list[CameraHealth]:
        """As the underlying view."""
        return self._live.camera_health()

    def camera_info(self) -> list[dict[str, Any]]:
        """As the underlying view."""
        return self._live.camera_info()

    def latest_jpeg(self, camera_id: str, redacted: bool = True) -> tuple[int, bytes] | None:
        """Redacted unless this viewer is unmasked now (the ``redacted`` argument is
        ignored: the viewer's grant decides)."""
        return self._live.latest_jpeg(camera_id, redacted=not self.unmasked())

    def watch(
        self, camera_id: str, fps: float = DEFAULT_WATCH_FPS
    ) -> AbstractContextManager[None]:
        """As the underlying view."""
        return self._live.watch(camera_id, fps)
