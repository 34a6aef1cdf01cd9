"""What a check reports: a :class:`Finding`, with its message in both languages already rendered.

Messages are rendered when the finding is made, so a stored report reads the same later whatever
the catalog becomes. Parameters that differ by language are :class:`Localized` (or a catalog
:class:`~xzsdg_geo.errors.Term`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import Term, UserError
from ..i18n import LANGS, current_lang, t
from .severity import BLOCKER, severity_of


@dataclass(frozen=True)
class Localized:
    """A message parameter with a Chinese and an English form."""

    zh: str
    en: str


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str  # blocker | warning
    message_zh: str
    message_en: str
    feature: int | None = None  # index in file order; None: the whole file
    detail: dict = field(default_factory=dict)

    @property
    def blocking(self) -> bool:
        return self.severity == BLOCKER

    def message(self, lang: str | None = None) -> str:
        return self.message_en if (lang or current_lang()) == "en" else self.message_zh

    def to_dict(self, lang: str | None = None) -> dict:
        return {"code": self.code, "message": self.message(lang), "feature": self.feature}


def _param(value: object, lang: str) -> object:
    if isinstance(value, Localized):
        return value.zh if lang == "zh" else value.en
    if isinstance(value, Term):
        return t(value.key, lang)
    return value


def finding(
    code: str,
    feature: int | None = None,
    detail: dict | None = None,
    *,
    key: str | None = None,
    **params: object,
) -> Finding:
    """A finding whose message is the catalog entry ``key`` (default ``check.<code>``)."""
    key = key or f"check.{code}"
    zh, en = (t(key, lang, **{k: _param(v, lang) for k, v in params.items()}) for lang in LANGS)
    return Finding(code, severity_of(code), zh, en, feature, dict(detail or {}))


def from_error(code: str, err: UserError, feature: int | None = None) -> Finding:
    """A finding that carries a reader's refusal as it was worded."""
    zh, en = (err.message(lang) for lang in LANGS)
    detail = {"key": err.key, **{k: v for k, v in err.params.items() if isinstance(v, (str, int, float))}}
    return Finding(code, severity_of(code), zh, en, feature, detail)
