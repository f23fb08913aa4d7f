"""TensorFlow.js graph model -> ONNX converter (needs only the ``onnx`` package).

Example:
    >>> from kuzet.models.tfjs import convert_tfjs
    >>> model, report = convert_tfjs(Path("faceres.json"))  # doctest: +SKIP
"""

from kuzet.models.tfjs.convert import ConversionReport, convert_tfjs

__all__ = ["ConversionReport", "convert_tfjs"]
