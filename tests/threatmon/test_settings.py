"""The deployment's settings: defaults, every refused value's message, frozen, read in one place."""

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest

from threatmon import settings as settings_module
from threatmon.disclosure import suppression
from threatmon.settings import (
    DEFAULT_MARKING,
    K_ENV_VAR,
    MARKING_ENV_VAR,
    Settings,
    current_settings,
)

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_when_nothing_is_set():
    assert Settings.from_env({}) == Settings()
    assert Settings() == Settings(
        db=None,
        accounts=None,
        session_idle=dt.timedelta(minutes=30),
        session_longest=dt.timedelta(hours=12),
        oidc_provider=None,
        marking="RESTRICTED — law-enforcement use only",
        suppression_k=5,
        background_forecasts=True,
        cache_dir=Path("data/cache"),
        chromium="/usr/bin/chromium",
        tile_url=None,
    )
    assert settings_module.DEFAULT_K == suppression.DEFAULT_K


def test_blank_values_count_as_unset():
    names = [
        "THREATMON_DB",
        "THREATMON_ACCOUNTS",
        "THREATMON_SESSION_IDLE_MINUTES",
        "THREATMON_SESSION_HOURS",
        "THREATMON_OIDC_PROVIDER",
        "THREATMON_MARKING",
        "THREATMON_SUPPRESSION_K",
        "THREATMON_BACKGROUND_FORECASTS",
        "THREATMON_CACHE_DIR",
        "THREATMON_CHROMIUM",
        "THREATMON_TILE_URL",
        "THREATMON_AUDIT_KEY",
        "THREATMON_AUDIT_KEY_FILE",
        "THREATMON_AUDIT_ANCHOR",
    ]
    assert Settings.from_env(dict.fromkeys(names, "")) == Settings()
    # These are stripped first; the others are taken as given, as they always were.
    stripped = [
        "THREATMON_SESSION_IDLE_MINUTES",
        "THREATMON_SESSION_HOURS",
        "THREATMON_OIDC_PROVIDER",
        "THREATMON_MARKING",
        "THREATMON_SUPPRESSION_K",
        "THREATMON_TILE_URL",
    ]
    assert Settings.from_env(dict.fromkeys(stripped, " \t ")) == Settings()


def test_values_are_parsed_into_their_types():
    given = Settings.from_env(
        {
            "THREATMON_DB": "postgresql://tm@db/threatmon",
            "THREATMON_ACCOUNTS": "/srv/accounts.sqlite",
            "THREATMON_SESSION_IDLE_MINUTES": " 5 ",
            "THREATMON_SESSION_HOURS": "1.5",
            "THREATMON_OIDC_PROVIDER": " keycloak ",
            "THREATMON_MARKING": "  SECRET //  REL  MD & UA ",
            "THREATMON_SUPPRESSION_K": " 10 ",
            "THREATMON_BACKGROUND_FORECASTS": "0",
            "THREATMON_CACHE_DIR": "/var/cache/threatmon",
            "THREATMON_CHROMIUM": "/opt/chromium/chrome",
            "THREATMON_TILE_URL": " http://tiles.police.local/{z}/{x}/{y}.png ",
        }
    )
    assert given == Settings(
        db="postgresql://tm@db/threatmon",
        accounts="/srv/accounts.sqlite",
        session_idle=dt.timedelta(minutes=5),
        session_longest=dt.timedelta(hours=1.5),
        oidc_provider="keycloak",
        marking="SECRET // REL MD & UA",
        suppression_k=10,
        background_forecasts=False,
        cache_dir=Path("/var/cache/threatmon"),
        chromium="/opt/chromium/chrome",
        tile_url="http://tiles.police.local/{z}/{x}/{y}.png",
    )
    # Only exactly "0" turns background refreshes off.
    for raw in ("1", "no", " 0", "false"):
        assert Settings.from_env({"THREATMON_BACKGROUND_FORECASTS": raw}).background_forecasts


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        *[
            (
                name,
                raw,
                f"${name} must be a number. Got {raw!r}.",
            )
            for name in ("THREATMON_SESSION_IDLE_MINUTES", "THREATMON_SESSION_HOURS")
            for raw in ("soon", "1h")
        ],
        *[
            (name, raw, f"${name} must be positive. Got {raw!r}.")
            for name in ("THREATMON_SESSION_IDLE_MINUTES", "THREATMON_SESSION_HOURS")
            for raw in ("0", "-2")
        ],
        *[
            (K_ENV_VAR, raw, f"${K_ENV_VAR} must be a whole number from 3 to 20. Got {raw!r}.")
            for raw in ("2", "21", "five", "5.5")
        ],
        (
            MARKING_ENV_VAR,
            "x" * 201,
            "$THREATMON_MARKING must be at most 200 characters. Got 201.",
        ),
    ],
)
def test_a_wrong_value_is_refused_with_a_message_naming_the_variable(name, raw, message):
    with pytest.raises(ValueError) as caught:
        Settings.from_env({name: raw})
    assert str(caught.value) == message


def test_a_marking_of_200_characters_after_collapsing_spaces_is_accepted():
    raw = "  " + " ".join(["x" * 99, "y" * 100]) + "   "
    assert Settings.from_env({MARKING_ENV_VAR: raw}).marking == f"{'x' * 99} {'y' * 100}"
    assert Settings.from_env({MARKING_ENV_VAR: " \n\t "}).marking == DEFAULT_MARKING


def test_settings_are_frozen():
    settings = Settings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.suppression_k = 3  # type: ignore[misc]


def test_current_settings_follow_the_environment_at_call_time(monkeypatch):
    monkeypatch.setenv(K_ENV_VAR, "7")
    assert current_settings().suppression_k == 7
    monkeypatch.delenv(K_ENV_VAR)
    assert current_settings().suppression_k == 5


def test_every_setting_is_in_the_documented_table():
    """docs/configuration.md and the module docstring name each variable and its field."""
    fields = {f.name for f in dataclasses.fields(Settings)}
    variables = {
        value
        for name, value in vars(settings_module).items()
        if name.endswith("_ENV_VAR") and isinstance(value, str)
    }
    assert len(variables) == len(fields)
    docs = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(THREATMON_[A-Z_]+)` \| `([a-z_]+)` \|", docs, flags=re.M))
    assert set(rows) == variables
    assert set(rows.values()) == fields
    docstring = settings_module.__doc__
    for variable, field in rows.items():
        assert re.search(rf"^{variable}\s+{field}:", docstring, flags=re.M), variable


# -- nothing else reads THREATMON_ variables --------------------------------------------------


# -- the audit key and anchor ------------------------------------------------------------------


def test_the_audit_key_comes_from_the_variable_or_its_file_and_never_shows(tmp_path):
    key = "s" * 32
    given = Settings.from_env({"THREATMON_AUDIT_KEY": f" {key} "})
    assert given.audit_secret() == key.encode()
    assert key not in repr(given)
    path = tmp_path / "audit.key"
    path.write_text(f"{key}\n")
    from_file = Settings.from_env(
        {"THREATMON_AUDIT_KEY_FILE": str(path), "THREATMON_AUDIT_ANCHOR": "/var/log/tm.anchor"}
    )
    assert from_file.audit_secret() == key.encode()
    assert from_file.audit_anchor == Path("/var/log/tm.anchor")
    assert Settings().audit_secret() is None


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        (
            {"THREATMON_AUDIT_KEY": "short secret"},
            "$THREATMON_AUDIT_KEY must be at least 32 characters. Got 12.",
        ),
        (
            {"THREATMON_AUDIT_KEY": "s" * 32, "THREATMON_AUDIT_KEY_FILE": "/run/key"},
            "Set $THREATMON_AUDIT_KEY or $THREATMON_AUDIT_KEY_FILE, not both.",
        ),
        (
            {"THREATMON_AUDIT_KEY_FILE": "/nonexistent/audit.key"},
            "$THREATMON_AUDIT_KEY_FILE names /nonexistent/audit.key, which cannot be read: "
            "No such file or directory.",
        ),
    ],
)
def test_a_wrong_audit_key_is_refused_without_showing_it(environ, message):
    with pytest.raises(ValueError) as caught:
        Settings.from_env(environ).audit_secret()
    assert str(caught.value) == message


def test_a_short_key_file_is_refused(tmp_path):
    path = tmp_path / "audit.key"
    path.write_text("tiny\n")
    with pytest.raises(ValueError) as caught:
        Settings.from_env({"THREATMON_AUDIT_KEY_FILE": str(path)}).audit_secret()
    assert str(caught.value) == (
        f"The key in $THREATMON_AUDIT_KEY_FILE ({path}) must be at least 32 characters. Got 4."
    )
