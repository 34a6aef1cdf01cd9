"""The one exception type that carries a message meant for a user, not a traceback."""

from __future__ import annotations

from .i18n import t


class UserError(Exception):
    """Bad input or a refused action, described by a catalog key and its parameters."""

    def __init__(self, key: str, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str | None = None) -> str:
        return t(self.key, lang, **self.params)
