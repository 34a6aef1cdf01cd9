"""The one exception type that carries a message meant for a user, not a traceback."""

from __future__ import annotations

from dataclasses import dataclass

from .i18n import current_lang, t


@dataclass(frozen=True)
class Term:
    """A parameter that is itself a catalog entry (a role, a status), translated with the message."""

    key: str


@dataclass(frozen=True)
class Terms:
    """Several catalog entries (roles allowed, say), translated and joined with the language's
    list separator when the message is shown."""

    keys: tuple[str, ...]

    def text(self, lang: str | None) -> str:
        return t("terms.separator", lang).join(t(k, lang) for k in self.keys)


@dataclass(frozen=True)
class Localized:
    """A parameter already worded in each language (a validation finding's message)."""

    zh: str
    en: str


class UserError(Exception):
    """Bad input or a refused action, described by a catalog key and its parameters."""

    def __init__(self, key: str, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str | None = None) -> str:
        params = {k: _translated(v, lang) for k, v in self.params.items()}
        return t(self.key, lang, **params)


def _translated(value: object, lang: str | None) -> object:
    if isinstance(value, Term):
        return t(value.key, lang)
    if isinstance(value, Terms):
        return value.text(lang)
    if isinstance(value, Localized):
        return value.en if (lang or current_lang()) == "en" else value.zh
    return value


def shortened(text: str, limit: int = 300) -> str:
    """``text`` (a path, a URL) cut in the middle to ``limit`` characters, for a one-line message."""
    return text if len(text) <= limit else f"{text[: limit // 2]}…{text[-(limit // 2) :]}"
