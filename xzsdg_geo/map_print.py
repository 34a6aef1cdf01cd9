"""The printed map: a view of the store's layers as a PDF or PNG page (A4/A3, landscape/portrait)
with title, legend, scale bar, north arrow, date, data labels (示例数据 / 示意边界) and the 审图号 line.

Drawn on the server with matplotlib from the same layers and styles as the web map
(:func:`xzsdg_geo.mapping.map_layers`, styles from ``layers/*.toml``) and with the report's drawing
of them, in the equal-area projection the areas are measured in: a map printed for a meeting shows
exactly what the app shows. The app (总览) and ``xzsdg map-print`` both call :func:`print_map`.
"""

from __future__ import annotations

import datetime as dt
import html
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import geopandas as gpd
import matplotlib
from matplotlib.figure import Figure
from pyproj import Transformer

from .config import settings
from .dates import today_cst
from .errors import UserError
from .geo import STORE_CRS
from .i18n import t
from .layers import all_layers
from .mapping import MapLayer, map_layers, map_settings
from .rates import on_the_ground
from .report.charts import _draw, _legend_handle, _name_districts, _scale_bar, _style
from .store import Store

MM_PER_INCH = 25.4
# Where a view may lie: around Xuzhou (lon/lat), so a mistyped bbox is refused, not drawn empty.
REGION = (115.5, 33.0, 119.5, 35.5)
DPI_PNG = 200


class Paper(StrEnum):
    A4 = "A4"
    A3 = "A3"

    @property
    def mm(self) -> tuple[float, float]:
        """Long side, short side."""
        return {Paper.A4: (297.0, 210.0), Paper.A3: (420.0, 297.0)}[self]


class Orientation(StrEnum):
    LANDSCAPE = "landscape"
    PORTRAIT = "portrait"


class Format(StrEnum):
    PDF = "pdf"
    PNG = "png"


Bounds = tuple[float, float, float, float]  # lon/lat CGCS2000: west, south, east, north


@dataclass(frozen=True)
class PrintRequest:
    bbox: Bounds | None = None  # None: the districts' extent
    paper: Paper = Paper.A4
    orientation: Orientation = Orientation.LANDSCAPE
    format: Format = Format.PDF
    lang: str = "zh"
    as_of: dt.date | None = None  # None: today (China time)

    @property
    def size_in(self) -> tuple[float, float]:
        long, short = self.paper.mm
        w, h = (long, short) if self.orientation is Orientation.LANDSCAPE else (short, long)
        return w / MM_PER_INCH, h / MM_PER_INCH


def parse_bbox(text: str) -> Bounds:
    """``west,south,east,north`` in lon/lat, checked to be a real box near Xuzhou."""
    try:
        values = tuple(float(v) for v in text.replace(" ", "").split(","))
    except ValueError:
        raise UserError("maptools.bad_bbox") from None
    return check_bbox(values)


def check_bbox(values: Sequence[float]) -> Bounds:
    if len(values) != 4:
        raise UserError("maptools.bad_bbox")
    w, s, e, n = (float(v) for v in values)
    inside = REGION[0] <= w < e <= REGION[2] and REGION[1] <= s < n <= REGION[3]
    if not inside:
        raise UserError("maptools.bad_bbox")
    return (w, s, e, n)


def paper(text: str) -> Paper:
    try:
        return Paper(text.upper())
    except ValueError:
        raise UserError("maptools.bad_size", size=text) from None


def orientation(text: str) -> Orientation:
    try:
        return Orientation(text.lower())
    except ValueError:
        raise UserError("maptools.bad_orientation", value=text) from None


def _projected_box(bbox: Bounds) -> Bounds:
    """The lon/lat box in the equal-area projection the map is drawn in (its corners and edge midpoints)."""
    to = Transformer.from_crs(STORE_CRS, settings().area_proj, always_xy=True)
    w, s, e, n = bbox
    xs, ys = to.transform(
        [w, e, w, e, (w + e) / 2, (w + e) / 2, w, e], [s, s, n, n, s, n, (s + n) / 2, (s + n) / 2]
    )
    return (min(xs), min(ys), max(xs), max(ys))


def _district_bbox(frames: Mapping[str, gpd.GeoDataFrame]) -> Bounds:
    districts = frames.get("districts")
    if districts is None or districts.empty:
        raise UserError("maptools.bad_bbox")
    return tuple(float(v) for v in districts.total_bounds)


def _fit(ax, box: Bounds, aspect: float) -> None:
    """The view on ``box`` (projected), widened to the axes' aspect (width / height) so nothing is cut."""
    x0, y0, x1, y1 = box
    cx, cy, w, h = (x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0
    w, h = max(w, h * aspect), max(h, w / aspect)
    ax.set_xlim(cx - w / 2, cx + w / 2)
    ax.set_ylim(cy - h / 2, cy + h / 2)


def _north_arrow(ax) -> None:
    """An arrow with N at the upper right (the projection's grid north is within half a degree of true
    north over the city)."""
    arrow = {"arrowstyle": "-|>,head_width=0.5,head_length=0.9", "color": "#222222", "lw": 1.6}
    ax.annotate("", xy=(0.955, 0.95), xytext=(0.955, 0.86), xycoords="axes fraction", arrowprops=arrow)
    ax.text(
        0.955, 0.955, "N", transform=ax.transAxes, ha="center", va="bottom", fontsize=11, fontweight="bold"
    )


def _notes(layers: Sequence[MapLayer]) -> list[str]:
    return sorted({html.unescape(x.note) for x in layers if x.note})


def render(frames: Mapping[str, gpd.GeoDataFrame], request: PrintRequest) -> bytes:
    """The page as PDF or PNG bytes: the map of ``frames`` in the request's view, and its furniture."""
    lang = request.lang
    bbox = request.bbox or _district_bbox(frames)
    layers = map_layers(frames, lang)
    width, height = request.size_in
    landscape = request.orientation is Orientation.LANDSCAPE
    as_of = request.as_of or today_cst()
    with matplotlib.rc_context(_style()):
        fig = Figure(figsize=(width, height))
        # map left of the legend (landscape) or above it (portrait), in figure fractions
        map_rect = [0.04, 0.1, 0.68, 0.8] if landscape else [0.06, 0.3, 0.88, 0.6]
        ax = fig.add_axes(map_rect)
        handles = []
        for layer in layers:
            for cls in layer.classes:
                _draw(ax, layer, cls)
                handles.append(_legend_handle(layer, cls))
            if layer.name == "districts":
                _name_districts(ax, layer)
        ax.set_aspect("equal", adjustable="box")
        _fit(ax, _projected_box(bbox), (map_rect[2] * width) / (map_rect[3] * height))
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("")
        ax.set_ylabel("")
        _scale_bar(ax, lang)
        _north_arrow(ax)
        left = 0.04 if landscape else 0.06
        fig.text(left, 0.95, t("maptools.print_title", lang), fontsize=15, fontweight="bold", va="top")
        made = today_cst().isoformat()
        fig.text(left, 0.915, t("maptools.print_date", lang, date=as_of.isoformat(),
                 made=made), fontsize=9, color="#444444", va="top")  # fmt: skip
        legend_at = (0.74, 0.9) if landscape else (0.06, 0.28)
        fig.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=legend_at,
            title=t("maptools.legend", lang),
            fontsize=8,
            title_fontsize=10,
            frameon=False,
            alignment="left",
            ncol=1 if landscape else 3,
        )
        foot = [t("map.notes", lang) + " · ".join(_notes(layers))] if _notes(layers) else []
        foot.append(map_settings().review_line(lang))
        fig.text(left, 0.04, "\n".join(foot), fontsize=8, color="#333333", va="bottom")
        out = io.BytesIO()
        if request.format is Format.PDF:
            fig.savefig(out, format="pdf")
        else:
            fig.savefig(out, format="png", dpi=DPI_PNG, facecolor="white")
        return out.getvalue()


def print_map(store: Store, request: PrintRequest) -> bytes:
    """The store's layers on the ground at the end of the request's day (as known now), printed."""
    day = request.as_of or today_cst()
    frames = on_the_ground({name: store.features(name) for name in all_layers()}, day)
    return render(frames, PrintRequest(**{**request.__dict__, "as_of": day}))
