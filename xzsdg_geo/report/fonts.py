"""The CJK font the report is set in: Noto Sans CJK SC (Debian ``fonts-noto-cjk``).

Both renderers find it on the system: matplotlib for the charts and maps, WeasyPrint (through
fontconfig) for the text, which it embeds (subset) in the PDF. Without it Chinese would come out as
empty boxes, so the report refuses to render instead.
"""

from __future__ import annotations

from functools import cache

from matplotlib import font_manager

from ..errors import UserError

FAMILY = "Noto Sans CJK SC"
CSS_STACK = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif'


@cache
def _installed() -> bool:
    return any(f.name == FAMILY for f in font_manager.fontManager.ttflist)


def require_cjk_font() -> str:
    """The family name, or a :class:`UserError` saying which package to install."""
    if not _installed():
        raise UserError("report.no_cjk_font", family=FAMILY, package="fonts-noto-cjk")
    return FAMILY
