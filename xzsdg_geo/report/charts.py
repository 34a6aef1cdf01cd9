"""The report's charts and static maps, drawn server-side with matplotlib (no browser, no tiles).

Every figure carries its date in its title and the data labels (示例数据, 示意边界) in its footnote,
so a figure cut out of the report still says what it shows. Maps reuse the app map's layers and
styles (:func:`xzsdg_geo.mapping.map_layers`) and are drawn in the equal-area projection the areas
are measured in.
"""

from __future__ import annotations

import html
import io
from collections.abc import Mapping, Sequence

import geopandas as gpd
import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from shapely.geometry import shape

from ..config import settings
from ..geo import STORE_CRS
from ..i18n import t
from ..mapping import MapLayer, map_layers
from ..rates import RateReport
from .fonts import require_cjk_font

DPI = 150
RATE_COLOR, BEHIND_COLOR, TARGET_COLOR, CITY_COLOR = "#1b7837", "#d6604d", "#333333", "#2166ac"
POINT_SIZE = 14


def _style() -> dict:
    return {"font.family": "sans-serif", "font.sans-serif": [require_cjk_font()], "axes.unicode_minus": False,
            "font.size": 9}  # fmt: skip


def png(fig: Figure) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, bbox_inches="tight", facecolor="white")
    return out.getvalue()


def _footnote(ax, notes: Sequence[str], below_pt: float) -> None:
    """The data labels under the axes, clear of tick labels (``below_pt`` points down)."""
    if notes:
        ax.annotate("｜".join(notes), xy=(0, 0), xycoords="axes fraction", xytext=(0, -below_pt),
                    textcoords="offset points", fontsize=7, color="#666666", ha="left", va="top")  # fmt: skip


def rate_chart(report: RateReport, title: str, notes: Sequence[str], lang: str) -> bytes:
    """Each district's rate against its target, and the city's, as horizontal bars (districts without
    subsidence zones have no rate and no bar)."""
    every = [(d.name, d.rate_pct, d.target_pct, False) for d in report.districts]
    every.append((t("col.city", lang), report.city.rate_pct, report.target_pct, True))
    rows = [(name, rate, target, city) for name, rate, target, city in every if rate is not None]
    with matplotlib.rc_context(_style()):
        fig = Figure(figsize=(7.2, 0.32 * len(rows) + 1.4))
        ax = fig.add_subplot()
        y = np.arange(len(rows))[::-1]
        for yi, (_name, rate, target, is_city) in zip(y, rows, strict=True):
            met = target is None or rate >= target - 1e-9
            color = CITY_COLOR if is_city else (RATE_COLOR if met else BEHIND_COLOR)
            ax.barh(yi, rate, color=color, height=0.6)
            ax.text(rate + 1, yi, f"{rate:.1f}%", va="center", fontsize=8)
            if target is not None:
                ax.plot([target, target], [yi - 0.4, yi + 0.4], color=TARGET_COLOR, linewidth=1.5)
        ax.set_yticks(y, [r[0] for r in rows])
        ax.set_xlim(0, 110)
        ax.set_xlabel(t("report.chart.rate_axis", lang))
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_title(title, loc="left", fontsize=10)
        ax.legend(handles=[Patch(color=RATE_COLOR, label=t("indicators.status.met", lang)),
                           Patch(color=BEHIND_COLOR, label=t("indicators.status.behind", lang)),
                           Line2D([], [], color=TARGET_COLOR, label=t("report.chart.target", lang))],
                  loc="lower right", fontsize=7, frameon=False)  # fmt: skip
        _footnote(ax, notes, 32)
        return png(fig)


def progress_chart(bars: Sequence[tuple[str, float, str]], title: str, notes: Sequence[str]) -> bytes:
    """Share of each goal done, in percent: (label, share, text at the bar's end)."""
    with matplotlib.rc_context(_style()):
        fig = Figure(figsize=(7.2, 0.45 * len(bars) + 1.2))
        ax = fig.add_subplot()
        y = np.arange(len(bars))[::-1]
        ax.barh(y, [100] * len(bars), color="#eeeeee", height=0.55)
        ax.barh(y, [b[1] for b in bars], color=RATE_COLOR, height=0.55)
        for yi, (_label, share, text) in zip(y, bars, strict=True):
            ax.text(min(share, 100) + 1.5, yi, text, va="center", fontsize=8)
        ax.set_yticks(y, [b[0] for b in bars])
        ax.set_xlim(0, 130)
        ax.set_xticks([0, 25, 50, 75, 100])
        ax.spines[["top", "right"]].set_visible(False)
        ax.spines["bottom"].set_bounds(0, 100)
        ax.set_title(title, loc="left", fontsize=10)
        _footnote(ax, notes, 20)
        return png(fig)


def _legend_handle(layer: MapLayer, cls) -> Patch | Line2D:
    color = cls.style["color"]
    label = html.unescape(cls.label if cls.label == layer.title else f"{layer.title}：{cls.label}")
    if layer.points:
        return Line2D([], [], marker="o", linestyle="", color=color, label=label)
    if cls.swatch == "line":
        return Line2D([], [], color=color, linewidth=2, label=label)
    if cls.swatch == "outline":
        return Patch(facecolor="none", edgecolor=color, linestyle="--", label=label)
    return Patch(facecolor=color, alpha=max(cls.style["fillOpacity"], 0.4), edgecolor=color, label=label)


def _projected(features: Sequence[dict]) -> gpd.GeoSeries:
    geoms = gpd.GeoSeries([shape(f["geometry"]) for f in features], crs=STORE_CRS)
    return geoms.to_crs(settings().area_proj)


def _draw(ax, layer: MapLayer, cls) -> None:
    series = _projected(cls.features)
    style, color = cls.style, cls.style["color"]
    if layer.points:  # a layer that may hold points (quarry pits): every feature as a marker, as the
        # outlines of a few hectares would vanish at the scale of the city
        series.representative_point().plot(ax=ax, color=color, markersize=POINT_SIZE, zorder=5)
    elif not style["fill"]:
        series.plot(ax=ax, color=color, linewidth=1.2, zorder=4)
    else:
        face = matplotlib.colors.to_rgba(color, style["fillOpacity"])
        series.plot(ax=ax, facecolor=face, edgecolor=color, linewidth=0.3 + 0.2 * style["weight"],
                    linestyle="--" if style.get("dashArray") else "-", zorder=2)  # fmt: skip


def _name_districts(ax, layer: MapLayer) -> None:
    features = [f for c in layer.classes for f in c.features]
    for feature, point in zip(features, _projected(features).representative_point(), strict=True):
        ax.text(point.x, point.y, html.unescape(feature["properties"]["name"]), fontsize=7, color="#555555",
                ha="center", va="center", zorder=6)  # fmt: skip


def _fit(ax, bounds: np.ndarray, margin: float = 0.03) -> None:
    """The view on the districts (the lakes reach beyond the city)."""
    x0, y0, x1, y1 = bounds
    dx, dy = (x1 - x0) * margin, (y1 - y0) * margin
    ax.set_xlim(x0 - dx, x1 + dx)
    ax.set_ylim(y0 - dy, y1 + dy)


def _scale_bar(ax, lang: str) -> None:
    """A bar of a round number of kilometres, about a fifth of the map's width, at the lower left
    (the map is drawn in metres of the equal-area projection)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    km = next(k for k in (50, 20, 10, 5, 2, 1) if k * 1000 <= (x1 - x0) / 4)
    left, base = x0 + (x1 - x0) * 0.03, y0 + (y1 - y0) * 0.04
    ax.plot([left, left + km * 1000], [base, base], color="#333333", linewidth=2.5, solid_capstyle="butt")
    ax.text(left + km * 500, base + (y1 - y0) * 0.012, t("report.map.scale", lang, km=km), ha="center",
            va="bottom", fontsize=7)  # fmt: skip


def layer_map(frames: Mapping[str, gpd.GeoDataFrame], title: str, notes: Sequence[str], lang: str) -> bytes:
    """The given store layers (``districts`` among them) over the lakes, named districts, a legend."""
    layers = map_layers(frames, lang)
    with matplotlib.rc_context(_style()):
        fig = Figure(figsize=(7.2, 6.4))
        ax = fig.add_subplot()
        handles = []
        for layer in layers:
            for cls in layer.classes:
                _draw(ax, layer, cls)
                if layer.name != "districts":
                    handles.append(_legend_handle(layer, cls))
            if layer.name == "districts":
                _name_districts(ax, layer)
        ax.set_aspect("equal")
        if "districts" in frames and not frames["districts"].empty:
            _fit(ax, frames["districts"].to_crs(settings().area_proj).total_bounds)
        _scale_bar(ax, lang)
        ax.set_axis_off()
        ax.set_title(title, loc="left", fontsize=10)
        ax.legend(
            handles=handles, loc="upper left", bbox_to_anchor=(0, -0.01), ncol=3, fontsize=7, frameon=False
        )
        _footnote(ax, notes, 6 + 12 * -(-len(handles) // 3))
        return png(fig)
