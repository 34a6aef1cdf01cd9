"""The one catalog of user-facing text: ``locales/<lang>/*.toml``, zh (default) and en.

A language's files are merged into one table (split by topic only so that work on different
parts does not collide); a key defined twice is an error. Code refers to messages by key; the
language comes from the caller, else ``XZSDG_LANG``, else zh.
"""

from __future__ import annotations

import os
import tomllib
from functools import cache

from .paths import LOCALES_DIR

LANGS = ("zh", "en")


@cache
def catalog(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in sorted((LOCALES_DIR / lang).glob("*.toml")):
        table = tomllib.loads(path.read_text(encoding="utf-8"))
        if clash := merged.keys() & table.keys():
            raise ValueError(f"{path}: keys defined twice: {sorted(clash)}")
        merged.update(table)
    return merged


def current_lang() -> str:
    lang = os.environ.get("XZSDG_LANG", "zh").lower()[:2]
    return lang if lang in LANGS else "zh"


def t(key: str, lang: str | None = None, **params: object) -> str:
    """The message ``key`` in ``lang`` with ``params`` filled in; the key itself if none exists."""
    lang = lang or current_lang()
    text = catalog(lang).get(key) or catalog("zh").get(key) or key
    return text.format(**params) if params else text
