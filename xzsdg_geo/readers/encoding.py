"""Which text encoding a file's Chinese text is in, when the file does not say.

Legacy Chinese GIS files are GBK (or its superset GB18030); newer ones UTF-8. UTF-8 is tried
first because it is selective: GBK bytes almost never form valid UTF-8, while UTF-8 bytes often
decode as (wrong) GBK. Of the candidates, the one with the fewest undecodable values wins, so a
value cut mid-character by a fixed-width field does not throw the guess off.
"""

from __future__ import annotations

import codecs

from ..errors import UserError

CANDIDATES = ("utf-8", "gbk", "gb18030")
MAX_BAD_SHARE = 0.01  # undecodable values tolerated before giving up on a guess
_ALIASES = {
    "936": "gbk",
    "cp936": "gbk",
    "ansi936": "gbk",
    "gb2312": "gbk",
    "65001": "utf-8",
    "utf8": "utf-8",
}


def codec_name(label: str) -> str | None:
    """A Python codec for an encoding label (.cpg contents, an uploader's choice); None if unknown."""
    key = "".join(label.split()).lower().replace("_", "")
    key = _ALIASES.get(key, key)
    try:
        name = codecs.lookup(key).name
    except LookupError:
        return None
    return "gbk" if name == "gb2312" else name


def chosen_codec(label: str) -> str:
    """The codec an uploader named; a :class:`UserError` when Python knows no such encoding."""
    if (codec := codec_name(label)) is None:
        raise UserError("read.bad_encoding", encoding=label)
    return codec


def _bad_values(values: list[bytes], codec: str) -> int:
    """How many values do not decode; a character cut off at the end (fixed-width fields and
    10-byte DBF field names cut multi-byte text) does not count against the codec."""
    bad = 0
    for value in values:
        try:
            codecs.getincrementaldecoder(codec)().decode(value, final=False)
        except UnicodeDecodeError:
            bad += 1
    return bad


def detect(values: list[bytes]) -> str | None:
    """The encoding of text values; None when they are plain ASCII (any encoding reads them)."""
    texts = [v for v in values if not v.isascii()]
    if not texts:
        return None
    scores = [(_bad_values(texts, c), i, c) for i, c in enumerate(CANDIDATES)]
    bad, _, codec = min(scores)
    if bad > MAX_BAD_SHARE * len(texts):
        raise UserError("read.encoding_unknown")
    return codec


def decode(data: bytes, encoding: str | None) -> tuple[str, str]:
    """A whole text file as text and the codec used: the uploader's, else detected by line."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), "utf-8"
    codec = chosen_codec(encoding) if encoding else detect(data.splitlines()) or "utf-8"
    try:
        return data.decode(codec), codec
    except UnicodeDecodeError:
        if encoding:
            raise UserError("read.wrong_encoding", encoding=encoding) from None
        return data.decode(codec, errors="replace"), codec
