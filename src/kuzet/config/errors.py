"""Structured config errors: one `ConfigIssue` per problem, all raised together.

`InvalidConfigError` is the `ConfigError` the loader raises; its message lists every
issue as ``FILE:LINE: key.path: message`` and `.errors` keeps them as data.
`LocatedValueError` lets a model validator point at a key below the model it runs on,
so cross-field checks (e.g. "rule names an unknown zone") get the right YAML line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kuzet.core.errors import ConfigError

Loc = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class ConfigIssue:
    """One problem in a config file.

    Attributes:
        source: File name (or another label) of the YAML text.
        path: Dotted key path, e.g. ``cameras.gate.rules[0].zone``; empty for the root.
        line: 1-based line in the file, or None when unknown (e.g. unreadable file).
        message: What is wrong, in plain words.
        column: 1-based column, set for YAML syntax errors only.
    """

    source: str
    path: str
    line: int | None
    message: str
    column: int | None = None

    def format(self) -> str:
        """Render as ``FILE:LINE[:COL]: key.path: message``.

        Returns:
            The one-line description.

        Example:
            >>> ConfigIssue("a.yml", "api.port", 3, "must be an integer").format()
            'a.yml:3: api.port: must be an integer'
        """
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class InvalidConfigError(ConfigError):
    """A config file failed to parse or validate; `.errors` lists every issue.

    Args:
        errors: The issues, in file order; at least one.
    """

    def __init__(self, errors: Sequence[ConfigIssue]) -> None:
        if not errors:
            raise ValueError("InvalidConfigError needs at least one issue, got none")
        self.errors: list[ConfigIssue] = list(errors)
        count = len(self.errors)
        header = f"{self.errors[0].source}: {count} error{'s' if count != 1 else ''} in config"
        super().__init__("\n".join([header, *(issue.format() for issue in self.errors)]))


class LocatedValueError(ValueError):
    """A validator error that names keys below the validated model.

    Pydantic reports a model validator's error at the model itself; the loader reads
    `.issues` (location relative to the model, message) to point at the exact keys.

    Args:
        issues: ``(relative_loc, message)`` pairs; at least one.

    Example:
        >>> err = LocatedValueError([(("rules", 0, "zone"), "unknown zone 'x'")])
        >>> str(err)
        "rules.0.zone: unknown zone 'x'"
    """

    def __init__(self, issues: Sequence[tuple[Loc, str]]) -> None:
        if not issues:
            raise ValueError("LocatedValueError needs at least one issue, got none")
        self.issues: list[tuple[Loc, str]] = list(issues)
        super().__init__(
            "; ".join(".".join(map(str, loc)) + f": {msg}" for loc, msg in self.issues)
        )
