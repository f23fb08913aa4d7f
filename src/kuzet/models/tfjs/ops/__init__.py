"""TF op -> ONNX converters, one registry for all op families.

Each converter has the signature ``(builder, node, inputs) -> outputs`` where
inputs/outputs are :class:`kuzet.models.tfjs.graph.Tensor` views.
"""

from __future__ import annotations

from kuzet.models.tfjs.ops.base import Converter
from kuzet.models.tfjs.ops.elementwise import ELEMENTWISE
from kuzet.models.tfjs.ops.nn import NN
from kuzet.models.tfjs.ops.reduce import REDUCE
from kuzet.models.tfjs.ops.shape import SHAPE

CONVERTERS: dict[str, Converter] = {**ELEMENTWISE, **NN, **REDUCE, **SHAPE}

__all__ = ["CONVERTERS", "Converter"]
