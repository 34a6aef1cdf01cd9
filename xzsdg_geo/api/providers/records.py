"""A small table of records (the yearly rates, computed when the configuration is made) as a
non-spatial pygeoapi feature collection.

pygeoapi's CSV and TinyDB providers would need the table rewritten in their format and still
filter ``datetime`` on timestamps; the records are a few hundred rows, kept in memory.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from pygeoapi.provider.base import BaseProvider, ProviderInvalidQueryError, ProviderItemNotFoundError

from .query import date_window

JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string"}


class RecordsProvider(BaseProvider):
    """``data``: a JSON file {"fields": {name: json type}, "records": [{"id": ..., ...}]}."""

    def __init__(self, provider_def: dict) -> None:
        super().__init__(provider_def)
        table = json.loads(Path(self.data).read_text(encoding="utf-8"))
        self.records: list[dict] = table["records"]
        self._fields = table["fields"]

    def get_fields(self) -> dict:
        return self._fields

    def _matches(self, record: dict, properties: list[tuple[str, str]], datetime_: str | None) -> bool:
        for name, value in properties:
            if name not in self._fields:
                raise ProviderInvalidQueryError(user_msg=f"unknown property {name!r}")
            if str(record[name]) != str(value):
                return False
        window = date_window(datetime_)
        if window is None:
            return True
        day = dt.date.fromisoformat(record[self.time_field])
        return (window.first is None or day >= window.first) and (window.last is None or day <= window.last)

    def query(self, offset=0, limit=10, resulttype="results", datetime_=None, properties=None, sortby=None,
              **kwargs) -> dict:  # fmt: skip
        rows = [r for r in self.records if self._matches(r, properties or [], datetime_)]
        for s in reversed(sortby or []):
            if s["property"] not in self._fields:
                raise ProviderInvalidQueryError(user_msg=f"unknown property {s['property']!r}")
            rows.sort(key=lambda r, k=s["property"]: (r[k] is None, r[k]), reverse=s["order"] == "-")
        page = [] if resulttype == "hits" else rows[offset : offset + limit]
        features = [self._feature(r) for r in page]
        return {"type": "FeatureCollection", "features": features, "numberMatched": len(rows),
                "numberReturned": len(features)}  # fmt: skip

    def get(self, identifier, **kwargs) -> dict:
        for record in self.records:
            if record["id"] == identifier:
                return self._feature(record)
        raise ProviderItemNotFoundError(user_msg=f"no such item: {identifier}")

    @staticmethod
    def _feature(record: dict) -> dict:
        properties = {k: v for k, v in record.items() if k != "id"}
        return {"type": "Feature", "id": record["id"], "geometry": None, "properties": properties}

    def __repr__(self) -> str:
        return f"<RecordsProvider> {self.data}"
