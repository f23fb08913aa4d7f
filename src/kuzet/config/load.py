"""Load the YAML config file into a validated, frozen `KuzetConfig`.

Steps: parse with ruamel.yaml (keeping line numbers), substitute ``${VAR}`` and
``${VAR:-default}`` in string values, merge the global `detect`/`motion`/`tracking`
sections under each camera's own, validate with pydantic. Every problem found is
reported at once, each as ``FILE:LINE: key.path: message``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import ValidationError

from kuzet.config.classes import ClassesOf, class_issues
from kuzet.config.errors import ConfigIssue, InvalidConfigError
from kuzet.config.issues import resolve_line, validation_issues
from kuzet.config.merge import merge_camera_sections
from kuzet.config.root import KuzetConfig
from kuzet.config.source import MAX_CONFIG_BYTES, format_path, parse_yaml

__all__ = ["load_config", "load_config_text"]


def load_config(
    path: Path, env: Mapping[str, str] | None = None, *, classes_of: ClassesOf | None = None
) -> KuzetConfig:
    """Read, merge and validate a config file.

    Args:
        path: The YAML file.
        env: Variables for `${VAR}` substitution; defaults to `os.environ`.
        classes_of: Reads a detector model's class names; when given, every class
            name in the file is also checked against its camera's model.

    Returns:
        The validated config; each camera carries its merged sections.

    Raises:
        InvalidConfigError: (a `ConfigError`) the file cannot be read, is not valid
            YAML, or fails validation; `.errors` lists every issue.

    Example:
        >>> cfg = load_config(Path("examples/demo.yml"))  # doctest: +SKIP
        >>> sorted(cfg.cameras)  # doctest: +SKIP
        ['plaza_1', 'plaza_2']
    """
    try:
        size = Path(path).stat().st_size
        if size > MAX_CONFIG_BYTES:  # refused before it is read into memory
            message = f"config file is {size} bytes; the limit is {MAX_CONFIG_BYTES} bytes"
            raise InvalidConfigError([ConfigIssue(str(path), "", None, message)])
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InvalidConfigError(
            [ConfigIssue(str(path), "", None, f"cannot read config file: {reason}")]
        ) from exc
    return load_config_text(text, str(path), env, classes_of=classes_of)


def load_config_text(
    text: str,
    source_name: str = "<config>",
    env: Mapping[str, str] | None = None,
    *,
    classes_of: ClassesOf | None = None,
) -> KuzetConfig:
    """Parse, merge and validate config YAML given as text.

    Args:
        text: The YAML document.
        source_name: File name shown in error messages.
        env: Variables for `${VAR}` substitution; defaults to `os.environ`.
        classes_of: Reads a detector model's class names (see `load_config`).

    Returns:
        The validated config.

    Raises:
        InvalidConfigError: Invalid YAML or invalid config; `.errors` lists every issue.

    Example:
        >>> cfg = load_config_text("cameras: {a: {source: {url: x.mp4}}}", env={})
        >>> cfg.cameras["a"].source.url
        'x.mp4'
    """
    parsed = parse_yaml(text, source_name, os.environ if env is None else env)
    # Top-level `x-...` keys hold YAML anchors for reuse; they are not settings.
    data = {k: v for k, v in parsed.data.items() if not k.startswith("x-")}
    data = merge_camera_sections(data)
    issues = list(parsed.issues)
    try:
        config = KuzetConfig.model_validate(data)
    except ValidationError as exc:
        # A value emptied by a missing variable is already reported; skip its echo.
        env_paths = {issue.path for issue in parsed.issues}
        issues += [
            issue
            for issue in validation_issues(exc, parsed, data, source_name)
            if issue.path not in env_paths
        ]
    else:
        if classes_of is not None:
            for loc, message in class_issues(config, classes_of):
                path_loc, line = resolve_line(loc, parsed.lines)
                issues.append(ConfigIssue(source_name, format_path(path_loc), line, message))
        if not issues:
            return config
    issues.sort(key=lambda issue: (issue.line or 0, issue.path))
    raise InvalidConfigError(issues)
