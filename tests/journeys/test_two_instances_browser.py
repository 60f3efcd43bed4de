"""Two dashboard instances on one PostgreSQL database: two analysts load at the same moment.

Each analyst works on her own server (as behind a load balancer, or one per office),
both servers point at the same database, and the accounts live there too. They drop
their extracts, and press "Load into the store" together. Both loads land whole, one
after the other, each as its own batch; each instance then shows both.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from threatmon.access.accounts import Accounts
from threatmon.filters import Filters
from threatmon.store.audit import verify_chain
from threatmon.store.reader import Store

WAIT = 90_000
EXTRACTS = {
    "ana": (
        "ana-chisinau.csv",
        "date,country,region_code,crime_type,count\n"
        "2026-10-05,MD,MD-CU,drug_trafficking,4\n"
        "2026-10-06,MD,MD-BA,firearms_trafficking,3\n",
    ),
    "ion": (
        "ion-odesa.csv",
        "date,country,region_code,crime_type,count\n"
        "2026-10-07,UA,UA-51,migrant_smuggling,5\n"
        "2026-10-08,UA,UA-51,vehicle_trafficking,2\n",
    ),
}
PASSWORD = "two instances test password"


def _window(url: str) -> Filters:
    """The Overview's period, from its address (``?from=2025-11&to=2026-10``)."""
    start, end = re.search(r"from=(\d{4}-\d{2})&to=(\d{4}-\d{2})", url).groups()
    last = pd.Period(end, freq="M").end_time.date()
    return Filters(start=f"{start}-01", end=last)


def _total(page) -> int:
    metric = page.get_by_test_id("stMetric").filter(has_text="Total incidents")
    metric.wait_for(timeout=WAIT)
    value = metric.get_by_test_id("stMetricValue").inner_text()
    return int(re.sub(r"\D", "", value))


def test_two_analysts_on_two_instances_load_at_once_and_both_land(
    journey, start_server, leaving, postgres_demo_url, tmp_path
):
    store = Store(postgres_demo_url)
    before = store.coverage()["incidents"]
    in_window = {}
    batches_before = len(store.batches())
    accounts = Accounts(postgres_demo_url)  # in the database: both instances see them
    for name in EXTRACTS:
        accounts.add(name, "analyst", password=PASSWORD, by="test")
    people = {}
    # An empty THREATMON_ACCOUNTS: the accounts are the database's, not a test file's.
    with (
        start_server(postgres_demo_url, THREATMON_ACCOUNTS="") as first,
        start_server(postgres_demo_url, THREATMON_ACCOUNTS="") as second,
    ):
        for name, base in (("ana", first), ("ion", second)):
            person = people[name] = journey(f"instances-{name}")
            person.open(base + "/load", "Sign in")
            person.page.get_by_label("User name").fill(name)
            person.page.get_by_role("textbox", name="Password").fill(PASSWORD)
            person.page.get_by_role("button", name="Sign in").click()
            person.page.get_by_role("heading", name="Upload", exact=True).wait_for(timeout=WAIT)
            file_name, text = EXTRACTS[name]
            extract = tmp_path / file_name
            extract.write_text(text)
            with person.page.expect_file_chooser() as chooser:
                person.page.get_by_test_id("stFileUploaderDropzone").get_by_role(
                    "button", name="Upload", exact=True
                ).click()
            chooser.value.set_files(extract)
            person.page.get_by_text("2 rows are valid; nothing was written (dry run).").wait_for(
                timeout=WAIT
            )
            person.screenshot("valid")

        # Both press the button before either load has finished.
        buttons = [
            people[name].page.get_by_role("button", name="Load into the store") for name in EXTRACTS
        ]
        for button in buttons:
            button.click(no_wait_after=True)
        loaded = {}
        for name, person in people.items():
            message = person.page.get_by_text(re.compile(r"Loaded 2 rows as batch \d+\."))
            message.wait_for(timeout=WAIT)
            loaded[name] = int(re.search(r"batch (\d+)", message.inner_text()).group(1))
            person.screenshot("loaded")
        assert sorted(loaded.values()) == [batches_before + 1, batches_before + 2]

        # Each instance shows both loads in its totals.
        added = 4 + 3 + 5 + 2
        for name in ("ana", "ion"):
            page = people[name].page
            page.get_by_role("link", name="Overview").click()
            page.get_by_role("heading", name="Overview", exact=True).wait_for(timeout=WAIT)
            window = _window(page.url)
            assert _total(page) == int(store.aggregate(window, by=(), freq=None)["count"].sum())
            in_window[name] = window
            people[name].screenshot("overview")
    for person in people.values():
        assert leaving(person.requests) == []
    batches = store.batches().set_index("batch_id")
    for name, batch_id in loaded.items():
        assert batches.loc[batch_id, "user_name"] == name
        assert batches.loc[batch_id, "file_name"] == EXTRACTS[name][0]
        assert (batches.loc[batch_id, "rows_loaded"], batches.loc[batch_id, "status"]) == (
            2,
            "active",
        )
    assert store.coverage()["incidents"] == before + added
    assert in_window["ana"] == in_window["ion"]
    assert in_window["ana"].start <= dt.date(2026, 10, 5) and in_window["ana"].end >= dt.date(
        2026, 10, 8
    ), "both extracts fall in the window the totals were compared over"
    assert verify_chain(store.audit()) is None
    assert [e["user_name"] for e in accounts.access_log().to_dict("records")].count("ana") >= 1
