"""Object detection: the ``ObjectDetector`` protocol and its ONNX Runtime backends.

Importing this package is cheap; onnxruntime and cv2 load when a detector is built.
"""

from kuzet.detect.base import COCO_CLASSES, DetectorInfo, DetectorOptions, ObjectDetector
from kuzet.detect.factory import detector_info, load_object_detector

__all__ = [
    "COCO_CLASSES",
    "DetectorInfo",
    "DetectorOptions",
    "ObjectDetector",
    "detector_info",
    "load_object_detector",
]
