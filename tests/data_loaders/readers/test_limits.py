"""ReadLimits: checked when built, and files over them refused before they are read."""

import pytest

from data_loaders.readers import ReadLimits, read, read_table
from tests.data_loaders.readers.files import MB
from threatmon.errors import UnreadableFileError


@pytest.mark.parametrize("field", ["max_bytes", "max_uncompressed_bytes", "max_compression_ratio"])
def test_limits_must_be_positive(field):
    with pytest.raises(ValueError) as caught:
        ReadLimits(**{field: 0})
    assert str(caught.value) == f"`{field}` must be greater than 0. Got 0."


def test_oversized_file_is_refused_before_reading(tmp_path, con, monkeypatch):
    path = tmp_path / "big.csv"
    with open(path, "wb") as handle:
        handle.truncate(int(123.4 * MB))  # sparse: instant, and never read
    # Any attempt to open the file would fail loudly.
    monkeypatch.setattr(read, "open", None, raising=False)
    with pytest.raises(UnreadableFileError) as caught:
        read_table(con, path)
    assert str(caught.value) == "big.csv is 123.4 MB; the limit is 100 MB."


def test_small_limits_are_stated_in_bytes(refused):
    error = refused("x.csv", "a,b\n1,2\n", limits=ReadLimits(max_bytes=5))
    assert str(error) == "x.csv is 8 bytes; the limit is 5 bytes."
