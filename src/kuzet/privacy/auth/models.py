"""Table models of authentication (defined with the other tables in ``store.models``)."""

from kuzet.store.models import ApiTokenRow, SessionRow, UserRow

__all__ = ["ApiTokenRow", "SessionRow", "UserRow"]
