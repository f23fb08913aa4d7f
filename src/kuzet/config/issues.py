"""Turn pydantic validation errors into `ConfigIssue`s that point at YAML lines.

Each error's ``loc`` is cleaned (union tags dropped), then mapped to the deepest key
written in the file. Inside a camera's merged `detect`/`motion`/`tracking` the
camera's own key wins; if the camera did not set it, the global key is named.
A missing key points at its parent's line.
"""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from kuzet.config.errors import ConfigIssue, Loc, LocatedValueError
from kuzet.config.merge import MERGED_SECTIONS
from kuzet.config.schema_walk import allowed_keys
from kuzet.config.source import ParsedSource, format_path


def validation_issues(
    exc: ValidationError, parsed: ParsedSource, data: Any, source: str
) -> list[ConfigIssue]:
    """Map every pydantic error to a located issue (deduplicated, in file order).

    Args:
        exc: The error raised by ``KuzetConfig.model_validate``.
        parsed: The parsed file (for the line index).
        data: The merged data that was validated.
        source: File name for messages.

    Returns:
        One issue per distinct problem, sorted by line.
    """
    issues: list[ConfigIssue] = []
    seen: set[tuple[str, str]] = set()
    for error in exc.errors():
        for loc, message in _expand(error, data):
            path_loc, line = resolve_line(loc, parsed.lines)
            issue = ConfigIssue(source, format_path(path_loc), line, message)
            if (issue.path, issue.message) not in seen:
                seen.add((issue.path, issue.message))
                issues.append(issue)
    return issues


def resolve_line(loc: Loc, lines: dict[Loc, int]) -> tuple[Loc, int]:
    """Find the line of the deepest written key along `loc`.

    Args:
        loc: A cleaned key path into the merged data.
        lines: The file's key path -> line index.

    Returns:
        The path to report (the global one if the value came from a global section)
        and its line.
    """
    glob = _global_equivalent(loc)
    for depth in range(len(loc), -1, -1):
        if loc[:depth] in lines:
            return loc, lines[loc[:depth]]
        if glob is not None and depth > 3 and glob[: depth - 2] in lines:
            return glob, lines[glob[: depth - 2]]
    return loc, lines.get((), 1)


def _global_equivalent(loc: Loc) -> Loc | None:
    """``cameras.X.detect.fps`` -> ``detect.fps``; None outside merged sections."""
    if len(loc) >= 3 and loc[0] == "cameras" and loc[2] in MERGED_SECTIONS:
        return loc[2:]
    return None


def _expand(error: ErrorDetails, data: Any) -> list[tuple[Loc, str]]:
    """Clean one error's loc and message; a `LocatedValueError` yields several."""
    loc = _strip_tags(tuple(error["loc"]), data)
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, LocatedValueError):
        return [(_strip_tags((*loc, *rel), data), msg) for rel, msg in cause.issues]
    return [(loc, _message(error, loc, data))]


def _strip_tags(loc: Loc, data: Any) -> Loc:
    """Drop union tags (``rules.0.zone_presence.zone`` -> ``rules.0.zone``)."""
    out: list[str | int] = []
    node = data
    for part in loc:
        if part == "[key]":
            continue
        if isinstance(node, dict) and part not in node and part in _tags(node):
            continue
        out.append(part)
        node = _child(node, part)
    return tuple(out)


def _tags(node: dict[str, Any]) -> set[Any]:
    return {node.get("kind"), node.get("type")} - {None}


def _child(node: Any, part: str | int) -> Any:
    if isinstance(node, dict) and isinstance(part, str):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


def _message(error: ErrorDetails, loc: Loc, data: Any) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return _unknown_key_message(loc, data)
    if kind == "missing":
        return "required key is missing"
    if kind == "union_tag_not_found":
        disc = str((error.get("ctx") or {}).get("discriminator", "")).strip("'")
        return f"missing `{disc}`, which says what kind of entry this is"
    message = error["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    if kind not in {"value_error", "assertion_error"} and "input" in error:
        message += f" (got {error['input']!r})"
    return message


def _unknown_key_message(loc: Loc, data: Any) -> str:
    key = str(loc[-1]) if loc else ""
    allowed = allowed_keys(loc[:-1], data)
    if not allowed:
        return "unknown key"
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f"did you mean `{close[0]}`? " if close else ""
    return f"unknown key ({hint}allowed: {', '.join(allowed)})"
