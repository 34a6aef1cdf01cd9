"""Streamlit entry point. The pages live in xzsdg_geo/ui; nothing else belongs here."""

from xzsdg_geo.ui.main import run

run()
