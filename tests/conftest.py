"""Fixtures shared by the dashboard tests: one small demo store per test session."""

import pytest

from data_loaders.demo import DemoSettings, build_demo_store


@pytest.fixture(scope="session")
def demo_store_path(tmp_path_factory):
    """A small demo store (seed 7, 2 % of the default size), built once per test session."""
    path = tmp_path_factory.mktemp("store") / "demo.duckdb"
    build_demo_store(path, DemoSettings(seed=7, scale=0.02))
    return path
