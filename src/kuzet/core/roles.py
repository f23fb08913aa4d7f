"""User roles: named in the config (``security``) and granted permissions by ``privacy.roles``."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    """The roles of DESIGN.md; the permission matrix lives in ``privacy.roles``."""

    OPERATOR = "operator"
    SUPERVISOR = "supervisor"
    ANALYST = "analyst"
    FIELD_OFFICER = "field_officer"
    ADMIN = "admin"
    AUDITOR = "auditor"
