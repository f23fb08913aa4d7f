"""YAML text -> plain Python data, a key-path -> line index, and `${ENV}` substitution.

The round-trip loader of ruamel.yaml keeps the position of every key and list item;
we copy the tree into plain dicts, lists and scalars (what pydantic expects) and
record, for each key path, the 1-based line where that key or item is written.

Hostile input is refused with a ``FILE:LINE: key: message`` error, never expanded:
text over ``MAX_CONFIG_BYTES``, nesting deeper than ``MAX_DEPTH`` and aliases that
expand to more than ``MAX_VALUES`` values (the "billion laughs": nine lines of
anchors that would become 10^9 values). (ruamel.yaml loads an alias inside its
own anchor as null, so a self-referring alias cannot loop.)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from kuzet.config.errors import ConfigIssue, InvalidConfigError, Loc

MAX_CONFIG_BYTES = 4 * 2**20  # a 1,000-camera config is ~0.5 MB
MAX_VALUES = 200_000  # keys, items and scalars after aliases are expanded
MAX_DEPTH = 64  # nesting of mappings and lists

# ${NAME}, ${NAME:-default}; $${...} is a literal "${...}".
_ENV_RE = re.compile(r"\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


@dataclass
class ParsedSource:
    """The parsed file.

    Attributes:
        data: Plain data (dict/list/str/int/float/bool/None) with `${ENV}` replaced.
        lines: 1-based line of each key path (the root path ``()`` included).
        issues: Substitution problems (missing environment variables).
    """

    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)
    issues: list[ConfigIssue] = field(default_factory=list)


def format_path(loc: Loc) -> str:
    """Render a key path as ``a.b[0].c``.

    Args:
        loc: Keys (str) and list indices (int).

    Returns:
        The dotted path; an empty string for the root.

    Example:
        >>> format_path(("cameras", "gate", "rules", 0, "zone"))
        'cameras.gate.rules[0].zone'
    """
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def parse_yaml(text: str, source: str, env: Mapping[str, str]) -> ParsedSource:
    """Parse YAML text into plain data with a line index, substituting `${ENV}`.

    Args:
        text: The YAML document.
        source: File name used in error messages.
        env: Variables for `${NAME}` / `${NAME:-default}` substitution.

    Returns:
        The parsed source; missing variables are in `.issues` (replaced by "").

    Raises:
        InvalidConfigError: The text is not valid YAML or is not a mapping at the top,
            or is too large, too deep or an alias bomb (see the module doc).
    """
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_CONFIG_BYTES:
        message = f"config is {size} bytes; the limit is {MAX_CONFIG_BYTES} bytes"
        raise InvalidConfigError([ConfigIssue(source, "", None, message)])
    try:
        root = YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(str(p) for p in (exc.context, exc.problem) if p) or str(exc)
        line = mark.line + 1 if mark is not None else None
        col = mark.column + 1 if mark is not None else None
        raise InvalidConfigError([ConfigIssue(source, "", line, message, col)]) from exc
    except YAMLError as exc:
        raise InvalidConfigError([ConfigIssue(source, "", None, str(exc))]) from exc
    except RecursionError as exc:  # the parser itself recursing on deep nesting
        message = f"nesting is too deep (the limit is {MAX_DEPTH} levels)"
        raise InvalidConfigError([ConfigIssue(source, "", None, message)]) from exc
    if not isinstance(root, CommentedMap):
        found = "an empty file" if root is None else f"a {type(root).__name__}"
        raise InvalidConfigError(
            [ConfigIssue(source, "", 1, f"expected a mapping of keys at the top, found {found}")]
        )
    parsed = ParsedSource(data=None, lines={(): root.lc.line + 1})
    walker = _Walker(source, env, parsed)
    parsed.data = walker.convert(root, ())
    return parsed


def _key_line(node: CommentedMap, key: Any) -> int:
    """1-based line of `key`; keys pulled in by ``<<: *anchor`` point at the anchor."""
    try:
        return int(node.lc.key(key)[0]) + 1
    except KeyError:
        for entry in getattr(node, "merge", []):
            # ruamel < 0.19 stores (position, map) pairs, later versions the maps.
            source = entry[1] if isinstance(entry, tuple) else entry
            if isinstance(source, CommentedMap) and key in source:
                return _key_line(source, key)
        return int(node.lc.line) + 1


class _Walker:
    """Copies a ruamel tree to plain data, filling the line index and issues."""

    def __init__(self, source: str, env: Mapping[str, str], parsed: ParsedSource) -> None:
        self._source = source
        self._env = env
        self._parsed = parsed
        self._values = 0

    def convert(self, node: Any, loc: Loc) -> Any:
        """Return the plain copy of `node`, found at key path `loc`."""
        self._values += 1
        if self._values > MAX_VALUES:
            self._refuse(loc, f"more than {MAX_VALUES} values once aliases are expanded "
                              "(an alias bomb?); write the values out or use fewer aliases")
        if len(loc) > MAX_DEPTH:
            self._refuse(loc, f"nesting is too deep (the limit is {MAX_DEPTH} levels)")
        if not isinstance(node, CommentedMap | CommentedSeq):
            return self._scalar(node, loc)
        return self._container(node, loc)

    def _refuse(self, loc: Loc, message: str) -> None:
        line = next((self._parsed.lines[loc[:n]] for n in range(len(loc), -1, -1)
                     if loc[:n] in self._parsed.lines), None)
        raise InvalidConfigError([ConfigIssue(self._source, format_path(loc), line, message)])

    def _container(self, node: CommentedMap | CommentedSeq, loc: Loc) -> Any:
        if isinstance(node, CommentedMap):
            out: dict[str, Any] = {}
            for key, value in node.items():
                name = str(key)
                self._parsed.lines[(*loc, name)] = _key_line(node, key)
                out[name] = self.convert(value, (*loc, name))
            return out
        items: list[Any] = []
        for index, value in enumerate(node):
            self._parsed.lines[(*loc, index)] = node.lc.item(index)[0] + 1
            items.append(self.convert(value, (*loc, index)))
        return items

    def _scalar(self, node: Any, loc: Loc) -> Any:
        if isinstance(node, str):
            return self._substitute(str(node), loc)
        if isinstance(node, bool):
            return bool(node)
        if isinstance(node, int):
            return int(node)
        if isinstance(node, float):
            return float(node)
        return node

    def _substitute(self, text: str, loc: Loc) -> str:
        def replace(match: re.Match[str]) -> str:
            escaped, name, default = match.groups()
            if escaped:
                return match.group(0)[1:]
            value = self._env.get(name)
            if value:
                return value
            if default is not None:
                return default
            if value is None:
                self._report_missing(name, loc)
            return ""

        return _ENV_RE.sub(replace, text)

    def _report_missing(self, name: str, loc: Loc) -> None:
        message = (
            f"environment variable {name} is not set "
            f"(set it, or write ${{{name}:-default}} to give a default)"
        )
        line = self._parsed.lines.get(loc)
        self._parsed.issues.append(ConfigIssue(self._source, format_path(loc), line, message))
