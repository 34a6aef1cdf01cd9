"""The pygeoapi configuration: one collection per public layer, and the yearly rates.

Everything shown comes from the layer specs (titles, field labels, enum values), the catalog
(texts, the 示例数据 / 示意边界 labels) and config/api.toml; the store gives the extents, the
labels' provenance and the rates. Only layers with ``public = true`` become collections, and only
their declared fields are published: never the version columns (``recorded_by`` names a person).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from ..dates import today_cst
from ..i18n import LANGS, t
from ..layers import FieldSpec, LayerSpec, all_layers
from ..mapping import provenance
from ..rates import compute_rates
from ..store import Store
from ..store.postgis_conn import is_postgres_url
from ..when import When
from .settings import ApiSettings

STORAGE_CRS = "http://www.opengis.net/def/crs/EPSG/0/4490"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
WHOLE_WORLD = [-180.0, -90.0, 180.0, 90.0]
ID_FIELD = "feature_id"
PROVIDERS = "xzsdg_geo.api.providers"
RATES_COLLECTION = "restoration_rates"
RATE_FIELDS = {
    "year": "integer", "as_of": "string", "adcode": "string", "name": "string", "zone_ha": "number",
    "restored_ha": "number", "rate_pct": "number", "target_pct": "number", "gap_ha": "number",
    "on_track": "boolean",
}  # fmt: skip


def _both(key: str, **params: object) -> dict[str, str]:
    """A catalog text in every language, as pygeoapi takes multilingual values."""
    return {lang: t(key, lang, **params) for lang in LANGS}


def _field_info(spec: FieldSpec) -> dict:
    """JSON-schema title and description of a field, in Chinese and English."""
    description = f"{spec.label_zh} / {spec.label_en}"
    info: dict = {"title": spec.label_zh, "description": description}
    if spec.values:
        info["enum"] = [v.code for v in spec.values]
        info["description"] += "; " + ", ".join(f"{v.code} = {v.zh} / {v.en}" for v in spec.values)
    return info


def _bbox(frame) -> list[float]:
    if frame.empty or frame.geometry.isna().all():
        return WHOLE_WORLD
    return [float(v) for v in frame.total_bounds]


def _postgis_data(location: str) -> dict:
    """pygeoapi's connection settings from a store URL (its schema from ``-csearch_path=``)."""
    parts = urlsplit(location)
    search_path = ["public"]
    for option in parse_qs(parts.query).get("options", []):
        for word in option.split():
            if word.startswith("-csearch_path="):
                search_path = word.split("=", 1)[1].split(",")
    return {
        "host": parts.hostname or "localhost", "port": parts.port or 5432, "dbname": parts.path.lstrip("/"),
        "user": unquote(parts.username or ""), "password": unquote(parts.password or ""),
        "search_path": search_path,
    }  # fmt: skip


def _provider(spec: LayerSpec, location: str, settings: ApiSettings) -> dict:
    options = {
        "published_rows": settings.published_rows.get(spec.name, {}),
        "field_info": {f.name: _field_info(f) for f in spec.fields},
    }
    common = {
        "type": "feature", "table": f"{spec.name}_current", "id_field": ID_FIELD,
        "properties": list(spec.field_names), "storage_crs": STORAGE_CRS, "crs": [CRS84, STORAGE_CRS],
        "options": options, "editable": False,
    }  # fmt: skip
    if spec.name in settings.time_fields:
        common["time_field"] = settings.time_fields[spec.name]
    if is_postgres_url(location):
        return {**common, "name": f"{PROVIDERS}.postgis.PostGISViewProvider", "data": _postgis_data(location),
                "geom_field": "geom"}  # fmt: skip
    return {
        **common,
        "name": f"{PROVIDERS}.gpkg.GeoPackageViewProvider",
        "data": str(Path(location).resolve()),
    }


def _description(spec: LayerSpec, settings: ApiSettings, label: str | None) -> dict[str, str]:
    out = {}
    for lang in LANGS:
        parts = [t("api.collection_description", lang, title=spec.title(lang))]
        rows = settings.published_rows.get(spec.name)
        if rows:
            conditions = ", ".join(_condition(spec.field(f), v, lang) for f, v in rows.items())
            parts.append(t("api.rows_note", lang, conditions=conditions))
        if label:
            parts.append(t("api.label_note", lang, label=t(label, lang)))
        out[lang] = " ".join(parts)
    return out


def _condition(spec: FieldSpec, code: str, lang: str) -> str:
    """ "状态 = 已完成": a published-rows condition as a reader sees it."""
    label = spec.label_zh if lang == "zh" else spec.label_en
    if not spec.values:
        return f"{label} = {code}"
    value = spec.value(code)
    return f"{label} = {value.zh if lang == 'zh' else value.en}"


def layer_resource(spec: LayerSpec, store: Store, location: str, settings: ApiSettings) -> dict:
    """One public layer as a pygeoapi collection."""
    frame = store.features(spec.name, fields=[])
    label = provenance(frame)
    keywords = [
        spec.name,
        spec.title_zh,
        spec.title_en,
        *([t(label, lang) for lang in LANGS] if label else []),
    ]
    return {
        "type": "collection",
        "title": {"zh": spec.title_zh, "en": spec.title_en},
        "description": _description(spec, settings, label),
        "keywords": keywords,
        "extents": {"spatial": {"bbox": _bbox(frame), "crs": CRS84}},
        "providers": [_provider(spec, location, settings)],
    }


def rate_records(store: Store, settings: ApiSettings, today: dt.date) -> list[dict]:
    """Each district's rate at the end of every year from the configured first one (or from when
    districts and zones were both first recorded) to this year, which counts up to ``today``.
    Empty while the store has no districts or no zones."""
    recorded = [store.earliest_valid_from(layer) for layer in ("districts", "subsidence_zones")]
    if None in recorded:
        return []
    first = max(settings.rates_first_year, *(int(r[:4]) for r in recorded))
    records = []
    for year in range(min(first, today.year), today.year + 1):
        report = compute_rates(store, When(dt.date(year, 12, 31) if year < today.year else today))
        for d in report.districts:
            fields = {name: getattr(d, name) for name in RATE_FIELDS if hasattr(d, name)}
            records.append(
                {"id": f"{year}-{d.adcode}", "year": year, "as_of": report.as_of.isoformat(), **fields}
            )
    return records


def rates_resource(store: Store, settings: ApiSettings, workdir: Path, bbox: list[float]) -> dict:
    """The yearly rates as a non-spatial collection; its table is written to ``workdir``."""
    path = workdir / "rates.json"
    fields = {
        name: {"type": kind, "title": t(f"api.field.{name}", "zh"),
               "description": f"{t(f'api.field.{name}', 'zh')} / {t(f'api.field.{name}', 'en')}"}
        for name, kind in RATE_FIELDS.items()
    }  # fmt: skip
    fields["as_of"]["format"] = "date"
    records = rate_records(store, settings, today_cst())
    path.write_text(json.dumps({"fields": fields, "records": records}, ensure_ascii=False), encoding="utf-8")
    return {
        "type": "collection",
        "title": _both("api.rates_title"),
        "description": _both("api.rates_description"),
        "keywords": [RATES_COLLECTION, t("api.rates_title", "zh")],
        "extents": {"spatial": {"bbox": bbox, "crs": CRS84}},
        "providers": [
            {
                "type": "feature",
                "name": f"{PROVIDERS}.records.RecordsProvider",
                "data": str(path),
                "id_field": "id",
                "time_field": "as_of",
                "editable": False,
            }
        ],
    }


def public_layers() -> list[LayerSpec]:
    return [spec for spec in all_layers().values() if spec.public]


def build_resources(store: Store, location: str, settings: ApiSettings, workdir: Path) -> dict[str, dict]:
    resources = {spec.name: layer_resource(spec, store, location, settings) for spec in public_layers()}
    city = resources.get("districts", {}).get("extents", {}).get("spatial", {}).get("bbox", WHOLE_WORLD)
    resources[RATES_COLLECTION] = rates_resource(store, settings, workdir, city)
    return resources
