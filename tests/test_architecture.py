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


# The one-way dependency order, lowest first: a module may import its own layer and the
# layers below it, never one above. The most specific prefix decides a module's layer.
LAYERS = (
    ("errors and settings", ("threatmon", "threatmon.errors", "threatmon.settings")),
    # The committed boundaries are reference data like the registry: loading places events
    # by them (data_loaders.normalise.placement).
    (
        "registry",
        ("threatmon.registry", "threatmon.distance", "threatmon.periods", "geo.boundaries"),
    ),
    # Coverage is read by the store and reads the registry and the periods.
    (
        "contract",
        ("threatmon.contract", "threatmon.filters", "threatmon.access.roles", "threatmon.coverage"),
    ),
    ("store", ("threatmon.store",)),
    ("access and disclosure", ("threatmon.access", "threatmon.disclosure")),
    ("loading", ("data_loaders",)),
    ("trends", ("trends",)),
    ("analysis", ("geo", "forecasting")),
    ("reports", ("reports",)),
    ("entry points", ("threatmon.cli", "ui")),
    ("pages", ("pages", "dashboard")),
)
# Peers in one layer that stay independent of each other.
INDEPENDENT = (("geo", "forecasting"), ("threatmon.cli", "ui"))
RUNTIME_FOLDERS = ("threatmon", "data_loaders", "trends", "forecasting", "geo", "reports", "ui")
TOOLING = ("devtools", "bench", "tests")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _matches(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _layer(module: str) -> tuple[int, str] | None:
    """(index, prefix) of the most specific layer prefix that covers ``module``."""
    best = None
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if _matches(module, prefix) and (best is None or len(prefix) > len(best[1])):
                best = (index, prefix)
    return best


RUNTIME_FILES = _python_files(*RUNTIME_FOLDERS, "pages") + [ROOT / "dashboard.py"]


def test_every_runtime_module_has_a_layer():
    unplaced = [_module_name(p) for p in RUNTIME_FILES if _layer(_module_name(p)) is None]
    assert not unplaced


@pytest.mark.parametrize("path", RUNTIME_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_down_the_layers(path):
    """Registries and the contract import nothing above them; the store imports no
    analysis; analysis imports no reports, CLI or dashboard; and so on up."""
    own = _layer(_module_name(path))
    upward = []
    for imported in sorted(_imported_modules(path)):
        theirs = _layer(imported)
        if theirs is not None and theirs[0] > own[0]:
            upward.append(f"{imported} ({LAYERS[theirs[0]][0]})")
    assert not upward, f"{_module_name(path)} ({LAYERS[own[0]][0]}) imports {upward}"


@pytest.mark.parametrize("path", RUNTIME_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_peers_stay_independent(path):
    module = _module_name(path)
    crossing = []
    for left, right in INDEPENDENT:
        for mine, other in ((left, right), (right, left)):
            if _matches(module, mine):
                crossing += [m for m in _imported_modules(path) if _matches(m, other)]
    assert not crossing, f"{module} imports {sorted(crossing)}"


@pytest.mark.parametrize("path", RUNTIME_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_runtime_never_imports_tooling(path):
    tooling = sorted(m for m in _imported_modules(path) if m.split(".")[0] in TOOLING)
    assert not tooling, f"{_module_name(path)} imports {tooling}"


@pytest.mark.parametrize("path", RUNTIME_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_runtime_module_over_700_lines(path):
    """A module that long holds more than one concept."""
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= 700, f"{_module_name(path)} has {lines} lines"


# Settings are read once, by threatmon/settings.py (Settings.from_env).


def _is_environ(node: ast.expr) -> bool:
    return (isinstance(node, ast.Name) and node.id == "environ") or (
        isinstance(node, ast.Attribute) and node.attr == "environ"
    )


def _environ_keys(tree: ast.AST) -> list[ast.expr]:
    """The keys of every read of the environment: ``environ.get(k)``, ``environ[k]``,
    ``getenv(k)``, ``k in environ``."""
    keys = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            if isinstance(func, ast.Attribute) and _is_environ(func.value):
                if func.attr in ("get", "pop", "setdefault", "__getitem__"):
                    keys.append(node.args[0])
            elif (isinstance(func, ast.Name) and func.id == "getenv") or (
                isinstance(func, ast.Attribute) and func.attr == "getenv"
            ):
                keys.append(node.args[0])
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Load)
            and _is_environ(node.value)
        ):
            keys.append(node.slice)
        elif isinstance(node, ast.Compare) and any(_is_environ(c) for c in node.comparators):
            keys.append(node.left)
    return keys


def _reads_a_threatmon_variable(path: Path) -> bool:
    """Whether the module reads a ``THREATMON_*`` variable: by its literal name, by a
    ``*_ENV_VAR`` constant, or by any computed name in a module that mentions one."""
    text = path.read_text(encoding="utf-8")
    mentions = "THREATMON_" in text
    for key in _environ_keys(ast.parse(text, filename=str(path))):
        if isinstance(key, ast.Constant):
            if isinstance(key.value, str) and key.value.startswith("THREATMON_"):
                return True
        elif isinstance(key, ast.Name | ast.Attribute):
            name = key.id if isinstance(key, ast.Name) else key.attr
            if name.endswith("_ENV_VAR") or mentions:
                return True
        elif mentions:
            return True
    return False


def test_no_runtime_module_but_the_settings_reads_a_threatmon_variable():
    readers = sorted(
        str(p.relative_to(ROOT))
        for p in RUNTIME_FILES
        if _reads_a_threatmon_variable(p) and str(p.relative_to(ROOT)) != "threatmon/settings.py"
    )
    assert not readers, f"read THREATMON_ variables outside threatmon/settings.py: {readers}"


def test_the_environment_scan_sees_the_settings_read():
    """The scan above would pass vacuously if it missed every read."""
    assert _reads_a_threatmon_variable(ROOT / "threatmon" / "settings.py")
