"""Placeholder page until the overview is built: the rates table."""

import streamlit as st

from ..cli.rates import render_table
from ..config import store_location
from ..dates import today_cst
from ..rates import compute_rates
from ..store import open_store


def run() -> None:
    st.set_page_config(page_title="徐州示范区地理监测平台", layout="wide")
    store = open_store(store_location())
    st.code(render_table(compute_rates(store, today_cst())))
    store.close()
