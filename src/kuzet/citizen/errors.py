"""Why a citizen report was refused (every refusal is counted by its reason)."""

from __future__ import annotations

from enum import StrEnum

from kuzet.core.errors import KuzetError


class Reason(StrEnum):
    """The counted reasons a submission is refused."""

    RATE_IP = "rate_ip"
    RATE_DEVICE = "rate_device"
    POW = "proof_of_work"
    MALFORMED = "malformed"
    TOO_LARGE = "too_large"
    BAD_TYPE = "bad_type"
    BAD_IMAGE = "bad_image"
    DUPLICATE = "duplicate"
    DISABLED = "disabled"


STATUS: dict[Reason, int] = {
    Reason.RATE_IP: 429, Reason.RATE_DEVICE: 429, Reason.POW: 403, Reason.MALFORMED: 422,
    Reason.TOO_LARGE: 413, Reason.BAD_TYPE: 415, Reason.BAD_IMAGE: 422,
    Reason.DUPLICATE: 409, Reason.DISABLED: 404,
}  # fmt: skip


class Rejected(KuzetError):
    """A submission refused before anything was stored.

    Attributes:
        reason: The counted reason.
        message: What the citizen is told (no internals).
    """

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message

    @property
    def status(self) -> int:
        """The HTTP status of this refusal."""
        return STATUS[self.reason]
