"""StoreLocation: what callers need of a store's location, the same way on both backends."""

from pathlib import Path

import pytest

from threatmon.settings import CACHE_DIR_ENV_VAR, DB_ENV_VAR
from threatmon.store import Store, StoreLocation

URL = "postgresql://analyst:s3cret@db.local/threatmon"


def test_a_file_location(monkeypatch, tmp_path):
    monkeypatch.delenv(DB_ENV_VAR, raising=False)
    default = StoreLocation.resolve()
    assert (default.file, default.url) == (Path("data/threatmon.duckdb"), None)
    location = StoreLocation.resolve(tmp_path / "x.duckdb")
    assert str(location) == location.display == location.cache_key == str(tmp_path / "x.duckdb")
    assert StoreLocation.resolve(location.cache_key) == location
    assert location.scratch_folder(".forecasts") == tmp_path / "x.duckdb.forecasts"
    assert location.for_child_process() == (["--db", str(tmp_path / "x.duckdb")], {})


def test_a_relative_file_is_the_same_store_as_its_absolute_path(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    relative, absolute = (
        StoreLocation.resolve("x.duckdb"),
        StoreLocation.resolve(tmp_path / "x.duckdb"),
    )
    assert relative != absolute
    assert relative.identity == absolute.identity == str(tmp_path / "x.duckdb")
    assert relative.for_child_process() == absolute.for_child_process()


def test_a_database_location_never_shows_its_password(monkeypatch, tmp_path):
    monkeypatch.setenv(DB_ENV_VAR, f"  {URL}  ")
    location = StoreLocation.resolve()
    assert (location.file, location.url) == (None, URL)
    assert str(location) == location.cache_key == location.identity == URL
    assert location.display == "postgresql://analyst:***@db.local/threatmon"
    assert repr(location) == "StoreLocation('postgresql://analyst:***@db.local/threatmon')"
    # On the command line, any user of the machine could read the password.
    assert location.for_child_process() == ([], {DB_ENV_VAR: URL})
    monkeypatch.setenv(CACHE_DIR_ENV_VAR, str(tmp_path))
    folder = location.scratch_folder(".forecasts")
    assert folder.parent == tmp_path and folder.name.startswith("postgresql-")
    assert folder.name.endswith(".forecasts") and "s3cret" not in str(folder)


def test_a_store_keeps_the_location_it_was_given(tmp_path):
    location = StoreLocation.resolve(tmp_path / "x.duckdb")
    store = Store(location, scope=("MD",))
    assert store.location is location
    assert store.scoped(()).location is location
    assert Store(URL).location == StoreLocation(url=URL)


def test_a_location_is_a_file_or_a_url():
    with pytest.raises(ValueError, match="either a file or a URL"):
        StoreLocation()
    with pytest.raises(ValueError, match="either a file or a URL"):
        StoreLocation(file=Path("x.duckdb"), url=URL)
