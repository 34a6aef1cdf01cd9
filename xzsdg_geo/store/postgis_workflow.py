"""The review-workflow and raster tables on PostGIS: the GeoPackage store's code, with a row lock
for decisions and a raster folder that does not depend on a file path."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from ..paths import DEFAULT_STORE
from .gpkg_rasters import RasterTables
from .gpkg_workflow import WorkflowTables
from .postgis_conn import QmarkConnection


class PostGISWorkflow(WorkflowTables):
    """Mixed into :class:`~xzsdg_geo.store.postgis.PostGISStore`."""

    _conn: QmarkConnection

    def set_submission_status(
        self, submission_id: int, expected: str, status: str, *, by: str, comment: str | None = None
    ) -> None:
        """Lock the submission's row (``SELECT ... FOR UPDATE``) before checking and moving it on: a
        second reviewer's transaction waits here, then sees the first one's decision and is refused."""
        with self.transaction():
            self._conn.execute("SELECT 1 FROM xzsdg_submissions WHERE id = ? FOR UPDATE", (submission_id,))
            super().set_submission_status(submission_id, expected, status, by=by, comment=comment)


class PostGISRasters(RasterTables):
    """Mixed into :class:`~xzsdg_geo.store.postgis.PostGISStore`."""

    def raster_folder(self) -> Path:
        """Large rasters stay files on the app's host, one folder per server and database
        (``var/rasters/<host>_<port>_<database>``); several app instances must share it."""
        url = urlsplit(self.location)
        return DEFAULT_STORE.parent / "rasters" / f"{url.hostname}_{url.port or 5432}_{url.path.strip('/')}"
