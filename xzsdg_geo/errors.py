"""The one exception type that carries a message meant for a user, not a traceback."""

from __future__ import annotations

from dataclasses import dataclass

from .i18n import t


@dataclass(frozen=True)
class Term:
    """A parameter that is itself a catalog entry (a role, a status), translated with the message."""

    key: str


class UserError(Exception):
    """Bad input or a refused action, described by a catalog key and its parameters."""

    def __init__(self, key: str, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str | None = None) -> str:
        params = {k: t(v.key, lang) if isinstance(v, Term) else v for k, v in self.params.items()}
        return t(self.key, lang, **params)
