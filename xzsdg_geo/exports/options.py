"""How a layer is exported: in which coordinate system, as of which day, with which field names.

The same options serve every layer format, the CLI (``export --layer … --crs --as-of
--field-names``) and the app's 导出 page.

- ``crs``: the store's CGCS2000 lon/lat (EPSG:4490) or a CGCS2000 Gauss-Krüger projection covering
  Xuzhou (3° zones 39/40 with zone prefix, EPSG:4527/4528, or without it, EPSG:4548/4549), which
  ArcGIS users work in. GeoJSON and KML are lon/lat on WGS 84 by their specifications, so they refuse
  a projection. The area column is computed on the ellipsoid (equal-area), never the projected
  plane, so it is the same whatever CRS the file is in.
- ``as_of``: the layer as it stood at the end of that day (China time), as ``rates --as-of`` reads it.
- ``names``: Chinese field names and enum values (the default, what a bureau's users read), or the
  English codes the program uses (for scripts). The importer maps either back onto the layer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from ..errors import UserError

STORE_CRS = "EPSG:4490"
PROJECTED_CRS = ("EPSG:4527", "EPSG:4528", "EPSG:4548", "EPSG:4549")
LAYER_CRS = (STORE_CRS, *PROJECTED_CRS)
LONLAT_ONLY_FORMATS = ("geojson", "kml")


class FieldNames(StrEnum):
    ZH = "zh"
    EN = "en"


@dataclass(frozen=True)
class LayerOptions:
    crs: str = STORE_CRS
    as_of: dt.date | None = None  # real-world time: the layer on the ground that day, as known then
    names: FieldNames = FieldNames.ZH
    known_at: dt.datetime | None = None  # record time: the layer as the store held it (None: now)

    def check(self, fmt: str) -> None:
        """Refuse a CRS the exports do not offer, or one the format cannot carry."""
        if self.crs not in LAYER_CRS:
            raise UserError("pkg.export.bad_crs", crs=self.crs, allowed="、".join(LAYER_CRS))
        if self.crs != STORE_CRS and fmt in LONLAT_ONLY_FORMATS:
            raise UserError("pkg.export.crs_not_for_format", crs=self.crs, format=fmt)
