"""The layout is the architecture: logic packages never import Streamlit; pages only render."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LOGIC_PACKAGES = (
    "threatmon",
    "data_loaders",
    "trends",
    "forecasting",
    "geo",
    "reports",
    "devtools",
)
# Data work belongs in forecasting/ or data_loaders/, never in a page.
FORBIDDEN_IN_PAGES = {
    "groupby(": re.compile(r"\bgroupby\s*\("),
    ".agg(": re.compile(r"\.agg\s*\("),
    "duckdb": re.compile(r"\bduckdb\b"),
}


def _python_files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


LOGIC_FILES = _python_files(*LOGIC_PACKAGES)
PAGE_FILES = _python_files("pages")


def test_there_is_something_to_check():
    assert LOGIC_FILES and PAGE_FILES


@pytest.mark.parametrize("path", LOGIC_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_logic_packages_never_import_streamlit(path):
    """data_loaders/, forecasting/ and geo/ stay usable from the CLI and in plain tests."""
    streamlit = sorted(
        m for m in _imported_modules(path) if m == "streamlit" or m.startswith("streamlit.")
    )
    assert not streamlit, f"{path.relative_to(ROOT)} imports {streamlit}"


@pytest.mark.parametrize("path", LOGIC_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_logic_packages_never_import_the_dashboard(path):
    ui = sorted(
        m for m in _imported_modules(path) if m.split(".")[0] in ("ui", "pages", "dashboard")
    )
    assert not ui, f"{path.relative_to(ROOT)} imports {ui}"


@pytest.mark.parametrize("path", PAGE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_pages_contain_no_data_work(path):
    """Pages read widgets and render; aggregations and SQL live in the packages."""
    text = path.read_text(encoding="utf-8")
    found = [name for name, pattern in FORBIDDEN_IN_PAGES.items() if pattern.search(text)]
    assert not found, f"{path.relative_to(ROOT)} uses {found}"


def test_only_ui_module_caches():
    """Caching happens at the edge, in ui/data.py only; domain functions stay undecorated."""
    offenders = [
        str(p.relative_to(ROOT))
        for p in _python_files(*LOGIC_PACKAGES, "pages", "ui")
        if re.search(r"\bcache_(data|resource)\b", p.read_text(encoding="utf-8"))
        and p != ROOT / "ui" / "data.py"
    ]
    dashboard = (ROOT / "dashboard.py").read_text(encoding="utf-8")
    if re.search(r"\bcache_(data|resource)\b", dashboard):
        offenders.append("dashboard.py")
    assert not offenders
