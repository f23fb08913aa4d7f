"""Class names in a config checked against the classes of each camera's detector model.

Which classes exist is a fact of the model (a user's YOLO export may have
``helmet`` and ``vest`` and no ``person``), not of the config schema, so this
check runs where a model's facts can be read (``kuzet config check``, the
runtime's pipeline builder). The caller passes how to read them: the config
layer does not know detector backends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from kuzet.config.cameras import CameraConfig
from kuzet.config.detect import ModelConfig
from kuzet.config.errors import Loc
from kuzet.config.root import KuzetConfig
from kuzet.core.errors import KuzetError

# A detect model config -> its class names (raises KuzetError when they cannot be read).
ClassesOf = Callable[[ModelConfig], Sequence[str]]


def _named_classes(cam: CameraConfig) -> Iterator[tuple[Loc, list[str]]]:
    # Every place a camera names detector classes, with its key path in the camera.
    yield ("detect", "classes"), list(cam.detect.classes)
    yield ("detect", "filters"), list(cam.detect.filters)
    if cam.plates.enabled:
        yield ("plates", "classes"), list(cam.plates.classes)
    for index, rule in enumerate(cam.rules):
        names = getattr(rule, "classes", None)
        if isinstance(names, list):
            yield ("rules", index, "classes"), [str(n) for n in names]


def camera_class_issues(
    cam: CameraConfig, class_names: Sequence[str], model: str = "the detector"
) -> list[tuple[Loc, str]]:
    """Class names used by a camera that its detector does not have.

    Args:
        cam: The camera's merged config.
        class_names: The detector model's class names.
        model: How to name the model in messages.

    Returns:
        ``(key path in the camera, message)`` per offending key; the message
        lists the model's classes.

    Example:
        >>> from kuzet.config.cameras import CameraConfig
        >>> cam = CameraConfig.model_validate({"source": {"url": "x"},
        ...                                    "detect": {"classes": ["helmet", "hat"]}})
        >>> camera_class_issues(cam, ["helmet", "vest"])[0][1]
        "unknown class names ['hat']; the detector's classes are ['helmet', 'vest']"
    """
    known = set(class_names)
    issues: list[tuple[Loc, str]] = []
    for loc, names in _named_classes(cam):
        unknown = sorted(set(names) - known)
        if unknown:
            issues.append(
                (loc, f"unknown class names {unknown}; {model}'s classes are {list(class_names)}")
            )
    return issues


def class_issues(config: KuzetConfig, classes_of: ClassesOf) -> list[tuple[Loc, str]]:
    """Every class name in ``config`` that the camera's detector model does not have.

    Args:
        config: The validated config.
        classes_of: Reads a model's class names (once per distinct model).

    Returns:
        ``(key path from the root, message)`` pairs; a model whose facts cannot be
        read is reported at the camera's ``detect.model``.
    """
    known: dict[str, Sequence[str] | str] = {}
    issues: list[tuple[Loc, str]] = []
    for cam_id, cam in config.cameras.items():
        key = cam.detect.model.model_dump_json()
        if key not in known:
            try:
                known[key] = tuple(classes_of(cam.detect.model))
            except KuzetError as exc:
                known[key] = str(exc)
        names = known[key]
        if isinstance(names, str):
            issues.append((("cameras", cam_id, "detect", "model"), names))
            continue
        model = f"the {cam.detect.model.type} model"
        issues += [(("cameras", cam_id, *loc), message)
                   for loc, message in camera_class_issues(cam, names, model)]
    return issues
