"""HTTP API and console."""

from pydantic import Field

from kuzet.config.base import KuzetModel


class ApiConfig(KuzetModel):
    """Where the API and console listen."""

    host: str = Field(default="127.0.0.1", description="Bind address.")
    port: int = Field(default=8800, ge=1, le=65535, description="TCP port.")
    live_fps: float = Field(
        default=5.0, gt=0, le=30, description="Maximum frame rate of MJPEG live views."
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Reverse proxies whose X-Forwarded-For/-Proto are believed (IPs or "
        "CIDR ranges; `*` = any). Default none: forwarded headers are ignored. The client "
        "address in the audit trail, sign-in throttling and lockout comes from them; "
        "anyone else's headers are ignored, so a client cannot rotate X-Forwarded-For "
        "to escape the per-address sign-in throttle.",
    )
