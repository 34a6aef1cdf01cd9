"""The app's two clocks: History's "as reported on …" beside today's figures, with the changes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import test_app_pages as pages

from xzsdg_geo.dates import today_cst
from xzsdg_geo.rates import compute_rates
from xzsdg_geo.services import review
from xzsdg_geo.services.auth import principal_of
from xzsdg_geo.store import open_store
from xzsdg_geo.when import When, end_of_day


def test_history_shows_the_figures_as_reported_then_beside_todays_with_the_approval(store_path: Path) -> None:
    yesterday = today_cst() - dt.timedelta(days=1)
    sub_id = pages._pending(store_path)
    store = open_store(str(store_path))
    review.decide(store, principal_of(store, "reviewer"), sub_id, "approve")
    day = today_cst()
    then = compute_rates(store, When(day, end_of_day(yesterday)))
    now = compute_rates(store, When(day))
    store.close()
    assert now.city.restored_ha > then.city.restored_ha  # the approval moved today's figure

    at = pages._open(pages._login("reviewer"), "history")
    at.radio[0].set_value("reported")
    pages._run(at)
    at.date_input(key="reported_on").set_value(yesterday)
    at.selectbox(key="reported_year").set_value(day.year)
    pages._run(at)
    table = at.dataframe[0].value.set_index("行政区")
    city = table.loc["全市"]
    assert city["当时上报(%)"] == f"{then.city.rate_pct:,.2f}"
    assert city["当前记录(%)"] == f"{now.city.rate_pct:,.2f}"
    changes = at.dataframe[1].value
    assert list(changes["操作"]) == ["通过"] and changes["提交"].iloc[0] == sub_id
