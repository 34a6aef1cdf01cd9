"""导出 / Exports: the figures for Excel, the layers for QGIS/ArcGIS, the annual report.

Every file is built by the export and report services on request (the report takes seconds) and
handed to the browser with a download button. Run as a page script by ``st.navigation``.
"""

from __future__ import annotations

import streamlit as st

from xzsdg_geo.dates import today_cst
from xzsdg_geo.exports import LAYER_FORMATS, TABLE_FORMATS, Export, export_layer, export_rates, export_store
from xzsdg_geo.exports.options import LAYER_CRS, LONLAT_ONLY_FORMATS, STORE_CRS, FieldNames, LayerOptions
from xzsdg_geo.i18n import t
from xzsdg_geo.layers import all_layers
from xzsdg_geo.report import build_report
from xzsdg_geo.ui import lang, widgets, workflow

REPORT_FORMATS = ("pdf", "html")
FIRST_YEAR = 2024  # the plan's base year


def _offer(key: str, build, language: str) -> None:
    """A 'prepare' button that builds the file, then its download button."""
    if st.button(t("pages.export_prepare", language), key=f"prepare_{key}"):
        with st.spinner(t("pages.export_building", language)):
            st.session_state[f"export_{key}"] = workflow.read(build)
    made: Export | None = st.session_state.get(f"export_{key}")
    if made is not None:
        st.download_button(t("pages.export_download", language, name=made.filename), made.data,
                           file_name=made.filename, mime=made.mime, key=f"download_{key}")  # fmt: skip


def _table_format(fmt: str, language: str) -> str:
    return t("pkg.export.wide_csv", language) if fmt == "csv-wide" else fmt


def _figures(language: str) -> None:
    st.subheader(t("pages.export_figures", language))
    years = list(range(today_cst().year, FIRST_YEAR - 1, -1))
    cols = st.columns(2)
    year = cols[0].selectbox(t("pages.year", language), years, key="export_year")
    fmt = cols[1].selectbox(t("pages.export_format", language), TABLE_FORMATS, key="export_table_fmt",
                            format_func=lambda f: _table_format(f, language))  # fmt: skip
    _offer(f"rates_{year}_{fmt}", lambda store: export_rates(store, year, fmt, lang=language), language)
    st.caption(t("pages.export_figures_help", language))


def _layers(language: str) -> None:
    st.subheader(t("pages.export_layers", language))
    cols = st.columns(2)
    layer = cols[0].selectbox(
        t("pages.layer", language), list(all_layers()),
        format_func=lambda n: widgets.layer_title(n, language), key="export_layer",
    )  # fmt: skip
    fmt = cols[1].selectbox(t("pages.export_format", language), LAYER_FORMATS, key="export_layer_fmt",
                            format_func=lambda f: t(f"pages.export_fmt_{f}", language))  # fmt: skip
    options = _layer_options(fmt, language)
    key = f"{fmt}_{options.crs}_{options.as_of}_{options.names}"
    _offer(f"layer_{layer}_{key}", lambda store: export_layer(store, layer, fmt, options), language)
    st.markdown(t("pages.export_store", language))
    _offer(f"store_{key}", lambda store: export_store(store, "gpkg", options), language)


def _layer_options(fmt: str, language: str) -> LayerOptions:
    """The CLI's --crs, --as-of and --field-names (GeoJSON and KML are lon/lat by specification)."""
    cols = st.columns(3)
    choices = [STORE_CRS] if fmt in LONLAT_ONLY_FORMATS else list(LAYER_CRS)
    crs = cols[0].selectbox(t("pkg.export.crs", language), choices, key=f"export_crs_{fmt}")
    as_of = cols[1].date_input(t("pkg.export.as_of", language), value=today_cst(), max_value=today_cst(),
                               key="export_as_of")  # fmt: skip
    names = cols[2].selectbox(t("pkg.export.field_names", language), list(FieldNames), key="export_names",
                              format_func=lambda n: t(f"pkg.export.names_{n}", language))  # fmt: skip
    return LayerOptions(crs=crs, as_of=None if as_of == today_cst() else as_of, names=FieldNames(names))


def _report(language: str) -> None:
    st.subheader(t("pages.export_report", language))
    years = list(range(today_cst().year, FIRST_YEAR - 1, -1))
    cols = st.columns(2)
    year = cols[0].selectbox(t("pages.year", language), years, key="report_year")
    fmt = cols[1].selectbox(t("pages.export_format", language), REPORT_FORMATS, key="report_fmt")
    _offer(f"report_{year}_{fmt}", lambda store: build_report(store, year, fmt, lang=language), language)


def render() -> None:
    language = lang.current()
    st.title(t("pages.nav_exports", language))
    _figures(language)
    _layers(language)
    _report(language)


if __name__ == "__main__":
    render()
