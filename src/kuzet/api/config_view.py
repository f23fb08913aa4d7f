"""The admin page's read-only view of the running configuration, secrets withheld.

Only the sections the API holds are shown (site time zone, API, privacy,
security, recording, sectors). A value whose key names a secret (password,
secret, token, key, dsn, url with credentials) is replaced by "set" / "not set":
the page shows that a secret is configured, never what it is.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

SECRET_KEY = re.compile(r"secret|password|passwd|token|private|api_?key|dsn|credential", re.I)
URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/@\s]+@", re.I)
SET, NOT_SET = "(set, not shown)", "(not set)"

Rows = list[tuple[str, str]]


def _flat(prefix: str, value: Any, rows: Rows) -> None:
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    if isinstance(value, dict) and value:
        for key, item in value.items():
            _flat(f"{prefix}.{key}" if prefix else str(key), item, rows)
        return
    key = prefix.rsplit(".", 1)[-1]
    if SECRET_KEY.search(key):
        rows.append((prefix, SET if value not in (None, "", [], {}) else NOT_SET))
        return
    text = "" if value is None else str(value)
    rows.append((prefix, URL_CREDENTIALS.sub(r"\g<scheme>***@", text)))


def config_rows(sections: dict[str, Any]) -> dict[str, Rows]:
    """Each section flattened to ``(dotted key, shown value)`` rows, secrets withheld.

    Example:
        >>> config_rows({"oidc": {"client_id": "kz", "client_secret": "s3"}})
        {'oidc': [('client_id', 'kz'), ('client_secret', '(set, not shown)')]}
        >>> config_rows({"mqtt": {"url": "mqtt://bob:pw@host:1883"}})["mqtt"]
        [('url', 'mqtt://***@host:1883')]
    """
    out: dict[str, Rows] = {}
    for name, value in sections.items():
        rows: Rows = []
        _flat("", value, rows)
        out[name] = rows
    return out
