"""The rows' coverage cells kept per generation, on each backend: a fresh reader of the
same generation reads them instead of scanning the rows; after a load, an undo or a
replacement, and for another scope, the kept answer is never used."""

import pandas as pd
import pytest

from threatmon.coverage.cells import DECLARED_SQL, ROW_CELLS_SQL, SOURCES_SQL, cells_from_rows
from threatmon.store import cells_cache
from threatmon.store.reader import Store
from threatmon.store.writer import write_session

COLUMNS = ["date", "period_end", "country", "region_code", "crime_type", "count"]
H = "human_trafficking"


def frame(*rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=COLUMNS)


JANUARY = frame(("2025-01-01", "2025-01-31", "MD", "MD-CU", H, 4))
FEBRUARY = frame(("2025-02-01", "2025-02-28", "MD", "MD-CU", H, 0))
UKRAINE = frame(("2025-01-01", "2025-03-31", "UA", None, "terrorism", 3))


def add(location, rows: pd.DataFrame, name: str, replace: bool = False) -> int:
    with write_session(location, user="ana") as writer:
        return writer.add_incidents(rows, file_name=name, sha256=name[0] * 64, replace=replace)


class Counted(Store):
    """A fresh reader (a new server process) that counts its scans of the rows."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, keep_cells=kwargs.pop("keep_cells", True), **kwargs)
        self.scans = 0

    def query(self, sql, params=None):
        self.scans += sql == ROW_CELLS_SQL
        return super().query(sql, params)


def truth(store: Store) -> pd.DataFrame:
    """The cells from a scan of the rows, bypassing what was kept (and the count)."""
    plain = Store(store.location, store.scope, store.withheld)
    return cells_from_rows(
        plain.query(ROW_CELLS_SQL), plain.query(DECLARED_SQL), plain.query(SOURCES_SQL)
    )


def kept(location) -> list[str]:
    folder = Store(location).location.scratch_folder(cells_cache.SUFFIX)
    return sorted(p.name for p in folder.glob("*.parquet")) if folder.exists() else []


@pytest.fixture(autouse=True)
def own_cache_dir(tmp_path, monkeypatch):
    # A database's cells are kept under the cache folder: one of the test's own.
    monkeypatch.setenv("THREATMON_CACHE_DIR", str(tmp_path / "cache"))


def test_a_fresh_reader_of_the_same_generation_does_not_scan_the_rows(store_location):
    add(store_location, JANUARY, "md.csv")
    first = Counted(store_location)
    cells = first.coverage_cells()
    assert first.scans == 1
    assert len(kept(store_location)) == 1
    second = Counted(store_location)
    pd.testing.assert_frame_equal(second.coverage_cells(), cells)
    assert second.scans == 0
    pd.testing.assert_frame_equal(cells, truth(second))


def test_after_a_load_an_undo_or_a_replacement_the_kept_cells_are_not_used(store_location):
    add(store_location, JANUARY, "md.csv")
    steps = [
        lambda: add(store_location, UKRAINE, "ua.csv"),
        lambda: add(store_location, FEBRUARY, "feb.csv", replace=True),
    ]
    Counted(store_location).coverage_cells()
    for step in steps:
        step()
        reader = Counted(store_location)
        pd.testing.assert_frame_equal(reader.coverage_cells(), truth(reader))
        assert reader.scans == 1
        # Only the current generation's answer is kept.
        assert len(kept(store_location)) == 1
    with write_session(store_location, user="ana") as writer:
        writer.undo(2)
    reader = Counted(store_location)
    cells = reader.coverage_cells()
    assert reader.scans == 1
    assert set(cells["country"]) == {"MD"}
    pd.testing.assert_frame_equal(cells, truth(reader))


def test_a_reader_already_open_follows_the_new_generation(store_location):
    add(store_location, JANUARY, "md.csv")
    reader = Counted(store_location)
    reader.coverage_cells()
    add(store_location, UKRAINE, "ua.csv")
    assert set(reader.coverage_cells()["country"]) == {"MD", "UA"}
    assert reader.scans == 2


def test_a_scoped_reader_keeps_its_own_cells(store_location):
    add(store_location, JANUARY, "md.csv")
    add(store_location, UKRAINE, "ua.csv")
    Counted(store_location).coverage_cells()
    scoped = Counted(store_location, scope=["UA"])
    assert set(scoped.coverage_cells()["country"]) == {"UA"}
    assert scoped.scans == 1
    withheld = Counted(store_location, withheld=["terrorism"])
    assert set(withheld.coverage_cells()["country"]) == {"MD"}
    assert withheld.scans == 1
    assert len(kept(store_location)) == 3


def test_an_unreadable_kept_file_is_scanned_again(store_location):
    add(store_location, JANUARY, "md.csv")
    Counted(store_location).coverage_cells()
    folder = Store(store_location).location.scratch_folder(cells_cache.SUFFIX)
    (path,) = folder.glob("*.parquet")
    path.write_bytes(b"not parquet")
    reader = Counted(store_location)
    pd.testing.assert_frame_equal(reader.coverage_cells(), truth(reader))
    assert reader.scans == 1


def test_a_folder_that_cannot_be_written_is_no_error(store_location, monkeypatch):
    add(store_location, JANUARY, "md.csv")

    def refuse(*args, **kwargs):
        raise PermissionError("read-only")

    monkeypatch.setattr(cells_cache, "_write", refuse)
    reader = Counted(store_location)
    pd.testing.assert_frame_equal(reader.coverage_cells(), truth(reader))
    assert kept(store_location) == []


def test_the_name_stands_for_the_version_the_batches_and_the_reader():
    batches = pd.DataFrame({"batch_id": [1], "status": ["active"]})
    undone = batches.assign(status="undone")
    name = cells_cache.cache_name("g3", batches, (), ())
    assert name == cells_cache.cache_name("g3", batches.copy(), (), ())
    assert name.endswith(".parquet")
    others = [
        cells_cache.cache_name("g4", batches, (), ()),
        cells_cache.cache_name("g3", undone, (), ()),
        cells_cache.cache_name("g3", batches, ("MD",), ()),
        cells_cache.cache_name("g3", batches, (), ("terrorism",)),
    ]
    assert len({name, *others}) == 5
    # Other readers of the same version share the first part (kept together).
    assert {n.split("-")[0] for n in [name, *others[1:]]} == {name.split("-")[0]}


def test_a_reader_that_does_not_keep_its_cells_writes_nothing_but_reads_them(store_location):
    add(store_location, JANUARY, "md.csv")
    plain = Counted(store_location, keep_cells=False)
    plain.coverage_cells()
    assert kept(store_location) == []
    Counted(store_location).coverage_cells()
    again = Counted(store_location, keep_cells=False)
    pd.testing.assert_frame_equal(again.coverage_cells(), truth(again))
    assert again.scans == 0


def test_a_scoped_view_of_a_keeping_reader_keeps_too(store_location):
    add(store_location, JANUARY, "md.csv")
    assert Store(store_location, keep_cells=True).scoped(["MD"]).keep_cells
