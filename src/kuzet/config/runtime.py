"""Process layout of the embedded runtime."""

from pydantic import Field

from kuzet.config.base import KuzetModel


class RuntimeConfig(KuzetModel):
    """Workers, queues and model threads."""

    detector_workers: int = Field(
        default=1, ge=1, le=64,
        description="Detector processes for the global `detect.model`, shared by all cameras "
        "(a camera with its own `detect.model` gets one more process for that model).",
    )
    detector_threads: int = Field(
        default=2, ge=1, le=64, description="ONNX Runtime threads per detector process."
    )
    queue_size: int = Field(
        default=8, ge=1, le=1024,
        description="Bounded detector queue; when full, the oldest request is dropped and counted.",
    )
    max_restarts: int = Field(
        default=5, ge=0, description="Camera worker restarts allowed within restart_window."
    )
    restart_window: float = Field(default=300.0, gt=0, description="Seconds; see max_restarts.")
    retry_given_up_after: float = Field(
        default=60.0, gt=0, le=86400,
        description="Seconds before a camera that used up max_restarts is tried again; "
        "doubles after each failed try, up to 16 times this. A camera is never abandoned.",
    )
    models_dir: str | None = Field(
        default=None, description="Model folder; null = $KUZET_MODELS or the user cache dir."
    )
