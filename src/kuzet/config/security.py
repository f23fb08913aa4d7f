"""Authentication: sessions, sign-in throttling and optional OIDC single sign-on."""

from pydantic import Field

from kuzet.config.base import KuzetModel
from kuzet.core.roles import Role


class OidcConfig(KuzetModel):
    """Sign-in through an OpenID Connect provider (authorization-code flow with PKCE)."""

    issuer: str = Field(description="Issuer URL; discovery is read from `/.well-known/...`.")
    client_id: str = Field(description="Client id registered at the provider.")
    client_secret: str = Field(description="Client secret; use `${ENV}`, never a literal.")
    scopes: list[str] = Field(
        default_factory=lambda: ["openid", "profile", "email"], description="Scopes requested."
    )
    username_claim: str = Field(
        default="preferred_username", description="ID-token claim used as the user name."
    )
    role_claim: str = Field(
        default="roles", description="ID-token claim holding a role name (or a list of them)."
    )
    default_role: Role | None = Field(
        default=None,
        description="Role of users whose claim names no Kuzet role; null refuses them.",
    )
    redirect_url: str | None = Field(
        default=None,
        description="Callback URL registered at the provider; null = `/auth/oidc/callback` here.",
    )


class SecurityConfig(KuzetModel):
    """Sessions of the console, sign-in throttling and lockout."""

    session_idle_s: float = Field(
        default=3600, gt=0, description="A session ends after this many seconds without use."
    )
    session_max_s: float = Field(
        default=12 * 3600, gt=0, description="A session ends this long after sign-in, regardless."
    )
    max_failures: int = Field(
        default=5, ge=1, description="Failed sign-ins in a row that lock an account."
    )
    lockout_s: float = Field(
        default=900, gt=0, description="How long a locked account stays locked."
    )
    ip_max_failures: int = Field(
        default=20, ge=1, description="Failed sign-ins from one address that pause it."
    )
    ip_window_s: float = Field(
        default=900, gt=0, description="Window (and pause) of the per-address throttle."
    )
    secure_cookies: bool | None = Field(
        default=None,
        description="Mark cookies Secure; null = only when the request came over https.",
    )
    oidc: OidcConfig | None = Field(default=None, description="OpenID Connect sign-in.")
