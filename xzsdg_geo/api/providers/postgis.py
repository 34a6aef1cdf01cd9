"""pygeoapi's PostgreSQL provider over a PostGIS store's ``<layer>_current`` view, kept to what is
published.

The view has every column of the layer's table, the personal ``recorded_by`` included; pygeoapi's
``properties`` setting only trims the output, while its field list (queryables, property filters,
``sortby``) would still name every column. So this subclass narrows the fields to the published
ones, adds the published-rows filter to every read (``get`` too, without the neighbours' ids the
base class looks up over all rows), connects with psycopg 3 (the project's driver; the base class
asks for psycopg2), reads ``datetime`` as calendar days, and reads the bbox and writes the output
in the storage CRS's axis order (the base class takes stored x for the CRS's first axis, latitude
in EPSG:4490) as the GeoPackage provider does.
"""

from __future__ import annotations

import datetime as dt

from geoalchemy2.functions import ST_Intersects, ST_MakeEnvelope
from pygeoapi.provider.base import ProviderInvalidQueryError, ProviderItemNotFoundError
from pygeoapi.provider.sql import GenericSQLProvider, PostgreSQLProvider
from pygeoapi.util import get_crs_from_uri
from sqlalchemy import and_, asc, desc, true
from sqlalchemy.orm import Session

from .query import bbox_xy, date_window, output_transform

DRIVER = "postgresql+psycopg"


class PostGISViewProvider(PostgreSQLProvider):
    """``options.published_rows``: {field: value} every published row has; ``options.field_info``:
    titles and descriptions of the fields."""

    def __init__(self, provider_def: dict) -> None:
        self.rows = dict((provider_def.get("options") or {}).get("published_rows", {}))
        GenericSQLProvider.__init__(self, provider_def, DRIVER, {"application_name": "xzsdg-api"})

    def get_fields(self) -> dict:
        fields = super().get_fields()
        info = (self.options or {}).get("field_info", {})
        self._fields = {name: {**fields[name], **info.get(name, {})} for name in self.properties}
        return self._fields

    def _column(self, name: str):
        if name not in self.fields:
            raise ProviderInvalidQueryError(user_msg=f"unknown property {name!r}")
        return getattr(self.table_model, name)

    def _equals(self, name: str, value: str):
        """``name = value`` with the text of a query read as the column's type (PostgreSQL does not
        compare a number with text)."""
        column, field = self._column(name), self.fields[name]
        read = {"integer": int, "number": float}.get(field["type"], str)
        if field.get("format") == "date":
            read = dt.date.fromisoformat
        try:
            return column == read(value)
        except ValueError:
            raise ProviderInvalidQueryError(user_msg=f"{name}: {value!r} is not a {field['type']}") from None

    def _get_property_filters(self, properties):
        terms = [self._equals(f, v) for f, v in [*self.rows.items(), *properties]]
        return and_(true(), *terms)

    def _get_cql_filters(self, filterq):
        if filterq:
            raise ProviderInvalidQueryError(user_msg="CQL filters are not offered; use property filters")
        return true()

    def _get_order_by_clauses(self, sort_by, table_model):
        keys = [(asc if s["order"] == "+" else desc)(self._column(s["property"])) for s in sort_by]
        return [*keys, asc(getattr(table_model, self.id_field))]

    def _get_datetime_filter(self, datetime_):
        window = date_window(datetime_)
        if window is None:
            return true()
        if self.time_field is None:
            raise ProviderInvalidQueryError(user_msg="this collection has no datetime")
        column = getattr(self.table_model, self.time_field)
        terms = []
        if window.first:
            terms.append(column >= window.first)
        if window.last:
            terms.append(column <= window.last)
        return and_(true(), *terms)

    def _get_crs_transform(self, crs_transform_spec=None):
        return output_transform(crs_transform_spec, self.storage_crs)

    def _get_bbox_filter(self, bbox):
        if not bbox:
            return true()
        envelope = ST_MakeEnvelope(
            *bbox_xy(bbox, self.storage_crs), get_crs_from_uri(self.storage_crs).to_epsg()
        )
        return ST_Intersects(envelope, getattr(self.table_model, self.geom))

    def get(self, identifier, crs_transform_spec=None, **kwargs) -> dict:
        with Session(self._engine) as session:
            item = (
                session.query(self.table_model)
                .filter(getattr(self.table_model, self.id_field) == identifier)
                .filter(self._get_property_filters([]))
                .options(self._select_properties_clause([], False))
                .first()
            )
            if item is None:
                raise ProviderItemNotFoundError(user_msg=f"no such item: {identifier}")
            return self._sqlalchemy_to_feature(item, self._get_crs_transform(crs_transform_spec))

    def __repr__(self) -> str:
        return f"<PostGISViewProvider> {self.table}"
