"""Which detector processes the runtime starts, and which one serves each camera."""

from __future__ import annotations

from kuzet.config.detect import ModelConfig
from kuzet.config.root import KuzetConfig


def plan_detectors(
    config: KuzetConfig, cameras: list[str]
) -> tuple[list[ModelConfig], dict[str, int]]:
    """Detector processes to start (their models) and the one each camera uses.

    ``runtime.detector_workers`` processes run the global ``detect.model`` and are
    shared round-robin; a camera whose own ``detect.model`` differs gets a process
    for that model (one per distinct model, shared by the cameras that name it).
    """
    models: list[ModelConfig] = [config.detect.model] * config.runtime.detector_workers
    pools: dict[str, list[int]] = {
        config.detect.model.model_dump_json(): list(range(len(models)))}
    assigned: dict[str, int] = {}
    for n, camera_id in enumerate(cameras):
        model = config.cameras[camera_id].detect.model
        pool = pools.setdefault(model.model_dump_json(), [])
        if not pool:
            pool.append(len(models))
            models.append(model)
        assigned[camera_id] = pool[n % len(pool)]
    return models, assigned
