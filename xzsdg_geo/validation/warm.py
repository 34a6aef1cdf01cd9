"""Imported by the checking worker's forkserver: one tiny upload checked, so caches are filled once.

Every job is forked from the server, so what is computed here (the bundled district region,
PROJ transformations, the message catalog) each job inherits instead of recomputing it
(about 0.2 s per upload otherwise).
"""

from __future__ import annotations

import json

from ..layers import get_layer
from ..readers import ReadOptions
from .context import Upload
from .run import check_upload
from .settings import validation_settings

_SQUARE = [[117.45, 34.45], [117.452, 34.45], [117.452, 34.452], [117.45, 34.452], [117.45, 34.45]]
_SAMPLE = {
    "type": "FeatureCollection",
    "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [_SQUARE]}}
    ],
}


def warm() -> None:
    """Check the sample; any failure only means a colder start, never a broken server."""
    data = json.dumps(_SAMPLE).encode()
    try:
        check_upload(Upload(data, "warm.geojson", get_layer("restoration_parcels"), ReadOptions(), None,
                            validation_settings()))  # fmt: skip
    except Exception:  # warming is best effort
        return


warm()
