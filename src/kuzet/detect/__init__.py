"""Object detection: the ``ObjectDetector`` protocol and its ONNX Runtime backends.

Importing this package is cheap; onnxruntime and cv2 load when a detector is built.
"""

from kuzet.detect.base import COCO_CLASSES, DetectorOptions, ObjectDetector
from kuzet.detect.factory import load_object_detector

__all__ = ["COCO_CLASSES", "DetectorOptions", "ObjectDetector", "load_object_detector"]
