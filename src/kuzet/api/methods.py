"""The ``Allow`` header of 405 answers, listing every method the path accepts.

Starlette answers 405 from the first route whose path matches, so a path served
by two routes (``GET`` and ``POST /api/tokens``) was answered ``Allow: GET``
only. This middleware replaces the header with the union over all routes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class AllowHeader:
    """ASGI middleware: a 405 answer carries every method its path accepts.

    Args:
        app: The wrapped application.
        routes: The application's routes (``Route`` objects; others are ignored).
    """

    def __init__(self, app: ASGIApp, routes: Iterable[BaseRoute]) -> None:
        self.app = app
        self._routes: list[tuple[re.Pattern[str], frozenset[str]]] = [
            (route.path_regex, frozenset(route.methods or ()))
            for route in routes
            if isinstance(route, Route)
        ]

    def allowed(self, path: str) -> list[str]:
        """Methods accepted on ``path``, sorted."""
        methods: set[str] = set()
        for regex, route_methods in self._routes:
            if regex.match(path):
                methods |= route_methods
        return sorted(methods)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Rewrite ``Allow`` on ``http.response.start`` when the status is 405."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_allow(message: Message) -> None:
            if message["type"] == "http.response.start" and message.get("status") == 405:
                methods = self.allowed(scope["path"])
                if methods:
                    headers = [
                        (name, value)
                        for name, value in message.get("headers", [])
                        if name.lower() != b"allow"
                    ]
                    message["headers"] = [*headers, (b"allow", ", ".join(methods).encode())]
            await send(message)

        await self.app(scope, receive, send_with_allow)
