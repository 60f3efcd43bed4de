"""What a reader derives, kept per generation on each backend (the rows' coverage cells
here): a fresh reader of the same generation reads them instead of scanning the rows;
after a load, an undo or a replacement, for another scope and for other code, the kept
answer is never used."""

import datetime as dt
import os

import pandas as pd
import pytest

from threatmon.coverage.cells import DECLARED_SQL, ROW_CELLS_SQL, SOURCES_SQL, cells_from_rows
from threatmon.store import kept as kept_module
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
        super().__init__(*args, keep_results=kwargs.pop("keep_results", True), **kwargs)
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
    folder = Store(location).location.scratch_folder(kept_module.SUFFIX)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


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
    folder = Store(store_location).location.scratch_folder(kept_module.SUFFIX)
    (path,) = folder.glob("*/*.parquet")
    path.write_bytes(b"not parquet")
    reader = Counted(store_location)
    pd.testing.assert_frame_equal(reader.coverage_cells(), truth(reader))
    assert reader.scans == 1


def test_a_folder_that_cannot_be_written_is_no_error(store_location, monkeypatch):
    add(store_location, JANUARY, "md.csv")

    def refuse(*args, **kwargs):
        raise PermissionError("read-only")

    monkeypatch.setattr(kept_module, "_write", refuse)
    reader = Counted(store_location)
    pd.testing.assert_frame_equal(reader.coverage_cells(), truth(reader))
    assert kept(store_location) == []


def test_the_name_stands_for_the_version_the_code_the_batches_the_reader_and_the_key():
    batches = pd.DataFrame({"batch_id": [1], "status": ["active"]})
    undone = batches.assign(status="undone")
    name = kept_module.entry_name("g3", batches, (), (), "cells")
    assert name == kept_module.entry_name("g3", batches.copy(), (), (), "cells")
    others = [
        kept_module.entry_name("g4", batches, (), (), "cells"),
        kept_module.entry_name("g3", undone, (), (), "cells"),
        kept_module.entry_name("g3", batches, ("MD",), (), "cells"),
        kept_module.entry_name("g3", batches, (), ("terrorism",), "cells"),
        kept_module.entry_name("g3", batches, (), (), "alerts"),
        kept_module.entry_name("g3", batches, (), (), "cells", ["2025-01"]),
    ]
    assert len({name, *others}) == 7
    # Other answers of the same version share the first part (kept together).
    assert {n.split("-")[0] for n in [name, *others[1:]]} == {name.split("-")[0]}
    assert others[4].split("-")[1] == "alerts"


def test_other_code_never_reads_an_answer_the_old_code_gave(monkeypatch):
    batches = pd.DataFrame({"batch_id": [1]})
    name = kept_module.entry_name("g3", batches, (), (), "cells")
    monkeypatch.setattr(kept_module, "code_fingerprint", lambda: "an upgrade")
    assert kept_module.entry_name("g3", batches, (), (), "cells") != name


def test_a_kind_is_a_plain_word():
    with pytest.raises(ValueError, match="Not a kind of kept answer: 'a-b'."):
        kept_module.entry_name("g3", pd.DataFrame(), (), (), "a-b")


def test_several_frames_read_back_by_name_in_order_with_their_dtypes(tmp_path):
    frames = {
        "total": pd.DataFrame({"count": [3], "change": [0.25]}),
        "changes": pd.DataFrame(
            {
                "region": pd.Categorical(["MD-CU", "RO-B"]),
                "p": [0.001, float("nan")],
                "month": pd.to_datetime(["2025-01-01", "2025-02-01"]),
                "label": ["a", None],
            }
        ),
        "empty": pd.DataFrame({"country": pd.Series([], dtype=object)}),
        "strings": pd.DataFrame(
            {
                "region_code": pd.Series(["MD-CU", None], dtype="str"),
                "emerging": pd.Series(["new hot spot", None], dtype=object),
            }
        ),
    }
    derived = []

    def derive():
        derived.append(1)
        return frames

    first = kept_module.kept_frames(tmp_path, "g-overview-x", derive, lambda: True)
    again = kept_module.kept_frames(tmp_path, "g-overview-x", derive, lambda: True)
    assert derived == [1]
    assert list(again) == ["total", "changes", "empty", "strings"]
    assert again["strings"]["emerging"].tolist() == ["new hot spot", None]
    for name, frame in frames.items():
        pd.testing.assert_frame_equal(first[name], frame)
        pd.testing.assert_frame_equal(again[name], frame)


def test_columns_of_tuples_read_back_as_tuples(tmp_path):
    # The Overview's left-out cells hold the months missing as a tuple of timestamps.
    frame = pd.DataFrame(
        {
            "crime_types": [("terrorism", "cybercrime"), ()],
            "missing": [(pd.Timestamp("2025-01-01"), pd.Timestamp("2025-03-01")), ()],
        }
    )
    kept_module.kept_frame(tmp_path, "g-left_out-x", lambda: frame, lambda: True)
    back = kept_module.kept_frame(tmp_path, "g-left_out-x", pytest.fail, lambda: True)
    assert back["crime_types"].tolist() == [("terrorism", "cybercrime"), ()]
    assert back["missing"][0] == (pd.Timestamp("2025-01-01"), pd.Timestamp("2025-03-01"))
    assert type(back["missing"][0][0]) is pd.Timestamp


@pytest.mark.parametrize(
    "values",
    [
        [{"terrorism"}, {"cybercrime"}],  # sets: Parquet has no such type
        [dt.date(2025, 1, 1), "2025-02"],  # a date and a string in one column
        [("a", 1), ("b", 2)],  # a tuple of mixed types comes back as strings
    ],
)
def test_a_frame_that_would_not_read_back_as_derived_is_not_kept(tmp_path, values):
    frame = pd.DataFrame({"column": values})
    got = kept_module.kept_frame(tmp_path, "g-coarser-x", lambda: frame, lambda: True)
    assert got is frame
    assert list(tmp_path.iterdir()) == []


def test_an_answer_derived_while_a_writer_published_is_not_kept(tmp_path):
    frame = pd.DataFrame({"count": [1]})
    kept_module.kept_frame(tmp_path, "g-alerts-x", lambda: frame, lambda: False)
    assert list(tmp_path.iterdir()) == []


def test_writing_an_answer_removes_the_other_generations(tmp_path):
    frame = pd.DataFrame({"count": [1]})
    kept_module.kept_frame(tmp_path, "old-alerts-x", lambda: frame, lambda: True)
    kept_module.kept_frame(tmp_path, "new-alerts-x", lambda: frame, lambda: True)
    kept_module.kept_frame(tmp_path, "new-cells-y", lambda: frame, lambda: True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new-alerts-x", "new-cells-y"]


def test_a_reader_that_does_not_keep_its_cells_writes_nothing_but_reads_them(store_location):
    add(store_location, JANUARY, "md.csv")
    plain = Counted(store_location, keep_results=False)
    plain.coverage_cells()
    assert kept(store_location) == []
    Counted(store_location).coverage_cells()
    again = Counted(store_location, keep_results=False)
    pd.testing.assert_frame_equal(again.coverage_cells(), truth(again))
    assert again.scans == 0


def test_a_scoped_view_of_a_keeping_reader_keeps_too(store_location):
    add(store_location, JANUARY, "md.csv")
    assert Store(store_location, keep_results=True).scoped(["MD"]).keep_results


def test_only_the_most_recent_answers_of_a_generation_are_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(kept_module, "MAX_ENTRIES", 2)
    frame = pd.DataFrame({"count": [1]})
    for when, selection in enumerate(("a", "b", "c"), start=1):
        kept_module.kept_frame(tmp_path, f"g-overview-{selection}", lambda: frame, lambda: True)
        # Written in this order, whatever the file system's clock resolution.
        os.utime(tmp_path / f"g-overview-{selection}", ns=(when * 10**9, when * 10**9))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g-overview-b", "g-overview-c"]


def test_a_column_of_sentences_reads_back_as_messages(tmp_path):
    from threatmon.messages import Message, odds

    # The early-warning list's sentences: a key and its values, a phrase nested in them.
    alert = Message(
        "alert.surge_first",
        {
            "region": "UA-74",
            "crime": "terrorism",
            "count": 6,
            "month": pd.Timestamp("2023-02-01"),
            "odds": odds(3e-7),
            "since": pd.Timestamp("2022-02-01"),
        },
    )
    frame = pd.DataFrame({"count": [6.0], "message": [alert]})
    kept_module.kept_frame(tmp_path, "g-alerts-x", lambda: frame, lambda: True)
    back = kept_module.kept_frame(tmp_path, "g-alerts-x", pytest.fail, lambda: True)
    assert back["message"][0] == alert
    assert back["message"][0].params["odds"] == Message("odds.below_million")
