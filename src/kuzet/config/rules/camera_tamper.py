"""Camera tamper rule settings (``kind: camera_tamper``)."""

from typing import ClassVar, Literal

from pydantic import Field

from kuzet.config.rules.base import RuleBase

TamperType = Literal["defocus", "occlusion", "scene_change", "signal_loss"]


class CameraTamperRuleConfig(RuleBase):
    """One kind of camera tampering; each kind is its own rule (and event type for operators).

    Baselines (sharpness, reference scene) are learned over the first `learn_s` seconds
    and then adapt slowly while nothing is wrong.
    """

    kind: Literal["camera_tamper"] = "camera_tamper"
    event_kinds: ClassVar[tuple[str, ...]] = ("camera_tamper",)
    tamper: TamperType = Field(
        description="defocus | occlusion | scene_change | signal_loss (raised by the supervisor)."
    )
    min_duration: float = Field(
        default=3.0, ge=0, description="Seconds the condition must hold before the event opens."
    )
    close_after: float = Field(
        default=3.0, ge=0, description="Seconds the condition must be gone before it closes."
    )
    learn_s: float = Field(
        default=5.0, ge=0, description="Seconds of frames that form the first baselines."
    )
    adapt_s: float = Field(
        default=600.0, gt=0,
        description="Time constant (s) of the slow baseline adaptation while all is well.",
    )
    defocus_ratio: float = Field(
        default=0.4, gt=0, lt=1,
        description="Defocus when sharpness falls below this fraction of its baseline.",
    )
    occlusion_texture: float = Field(
        default=0.15, ge=0, le=1,
        description="Occlusion when less than this fraction of the frame has texture "
        "(or the frame is dark/uniform).",
    )
    scene_similarity: float = Field(
        default=0.5, ge=-1, le=1,
        description="Scene change when the edge-map correlation with the reference falls "
        "below this.",
    )
    signal_loss_after: float = Field(
        default=10.0, gt=0,
        description="signal_loss: seconds without frames before the event opens.",
    )
