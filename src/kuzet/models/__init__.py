"""The offline model pack: registry, installer, manifest, verification.

``kuzet models install`` fills the model folder (``$KUZET_MODELS`` or the user
cache); runtimes find files with :func:`find_model`. The TFJS->ONNX converter
lives in ``kuzet.models.tfjs``. Importing this package is cheap.
"""

from kuzet.models.paths import find_model, models_dir, require_model

__all__ = ["find_model", "models_dir", "require_model"]
