"""One error tree for the whole project.

Broad ``except`` is allowed only at stream or process boundaries (log, count,
restart); everywhere else catch the specific subclass.
"""


class KuzetError(Exception):
    """Base of every error Kuzet raises on purpose."""


class ConfigError(KuzetError):
    """The configuration is invalid; the message names the key path and YAML line."""


class SourceUnavailable(KuzetError):
    """A camera source cannot be opened or read right now (retryable)."""


class ModelError(KuzetError):
    """A model is missing, corrupt, or cannot be converted or run."""


class UnsupportedOpError(ModelError):
    """A TensorFlow.js graph uses an op the converter does not implement."""

    def __init__(self, op: str, node: str) -> None:
        super().__init__(f"unsupported TensorFlow op {op!r} at node {node!r}")
        self.op = op
        self.node = node
