"""The catalogues are complete: every key in every language, every key the code uses.

Pure tests (no Streamlit run): they read ``threatmon/locales/*.json`` and scan the source of
``dashboard.py``, ``pages/``, ``ui/``, ``reports/`` (the briefing) and ``threatmon/i18n.py``
for ``t(...)``, ``translate(...)`` and ``words.t(...)`` calls.
"""

from __future__ import annotations

import ast
import json
import re
import string
from pathlib import Path

import pytest

from threatmon.i18n import COUNT_MARK, counted
from ui import i18n

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "dashboard.py", *sorted((ROOT / "pages").glob("*.py"))]
SOURCES += sorted((ROOT / "ui").glob("*.py"))
# The briefing is written with the same catalogues (reports.words), without Streamlit.
SOURCES += [*sorted((ROOT / "reports").glob("*.py")), ROOT / "threatmon" / "i18n.py"]
LANGUAGES = list(i18n.LANGUAGES)
OTHERS = [code for code in LANGUAGES if code != i18n.DEFAULT_LANGUAGE]


def _load(language: str) -> dict[str, str]:
    """The catalogue as written in its file (duplicate keys refused)."""

    def no_duplicates(pairs):
        keys = [key for key, _ in pairs]
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        assert not duplicates, f"{language}.json repeats {duplicates}"
        return dict(pairs)

    text = (i18n.LOCALES / f"{language}.json").read_text(encoding="utf-8")
    return json.loads(text, object_pairs_hook=no_duplicates)


CATALOGUES = {language: _load(language) for language in LANGUAGES}
ENGLISH = CATALOGUES[i18n.DEFAULT_LANGUAGE]


def _fields(text: str) -> set[str]:
    """The names of the placeholders (``count`` of ``{count|incidents}`` too)."""
    return {
        name.split(COUNT_MARK, 1)[0]
        for _, name, _, _ in string.Formatter().parse(text)
        if name is not None
    }


def _units() -> set[str]:
    """The units the texts count (``incidents`` of ``{count|incidents}``), any language."""
    return {
        unit
        for texts in CATALOGUES.values()
        for text in texts.values()
        for _, unit in counted(text)
    }


def _dynamic_keys() -> dict[str, set[str]]:
    """Every key of each computed family, from the registries it names."""
    import dashboard
    from forecasting.combination import COMBINATION
    from forecasting.models import MODELS
    from forecasting.published import MODELS as PUBLISHED_MODELS
    from forecasting.warning.sentences import MESSAGE_KEYS as ALERT_MESSAGES
    from forecasting.wording import COUNTED, NOTE_KEYS, PERIODS
    from geo.classes import METHODS
    from geo.coverage import PERIOD_UNITS
    from geo.symbology import EMERGING_COLOURS, HOT_COLD_COLOURS, MEASURES
    from threatmon.access.roles import Role
    from threatmon.granularity import FREQUENCY_GRANULARITY, GRANULARITIES
    from threatmon.registry.crime_types import CRIME_TYPE_KEYS
    from threatmon.registry.regions import PROJECT_COUNTRIES
    from trends.changes import FLAG_LOW_COUNTS, FLAG_NOT_SIGNIFICANT, LEVELS
    from trends.summary import MESSAGE_KEYS as SUMMARY_MESSAGES
    from ui.map_settings import LAYERS

    def slug(text: str) -> str:
        return text.replace(" ", "_")

    families = {
        "classes.": METHODS,
        "country.": PROJECT_COUNTRIES,
        "crime.": CRIME_TYPE_KEYS,
        "earlier.": PERIODS,
        "emerging.": [slug(c) for c in EMERGING_COLOURS],
        "flag.": [slug(FLAG_LOW_COUNTS), slug(FLAG_NOT_SIGNIFICANT)],
        "granularity.": GRANULARITIES,
        "hotcold.": HOT_COLD_COLOURS,
        "layer.": LAYERS,
        "level.": [slug(level) for level in LEVELS],
        "measure.": MEASURES,
        "model.": [*MODELS, COMBINATION],  # the combination is chosen like a model
        "month.long.": [str(m) for m in range(1, 13)],
        "month.short.": [str(m) for m in range(1, 13)],
        # The sentences the logic packages return as messages (ui.messages.say).
        "msg.": [*ALERT_MESSAGES, *SUMMARY_MESSAGES],
        "note.": NOTE_KEYS,
        "page.": [Path(spec.path).stem for spec in dashboard.PAGES],
        "per.": PERIODS,
        # The forecasts' counts, and the units the texts count ({count|incidents}).
        "plural.": {*COUNTED, *PERIOD_UNITS.values(), *_units()},
        "published_model.": PUBLISHED_MODELS,
        "role.": [role.value for role in Role],
        "same.": PERIODS,
        "view.": FREQUENCY_GRANULARITY,
    }
    return {prefix: {prefix + name for name in names} for prefix, names in families.items()}


#: The lookups: ``t(key, **values)`` and ``translate(key, language, **values)``.
LOOKUPS = {"t", "translate"}


def _t_calls() -> list[tuple[str, int, ast.expr]]:
    """(file, line, first argument) of every lookup in the dashboard's code.

    ``t`` itself passes its own argument on to ``translate``; that call is the layer,
    not a use of it.
    """
    calls = []
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        inside_t = {
            id(inner)
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef) and node.name in LOOKUPS
            for inner in ast.walk(node)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or id(node) in inside_t:
                continue
            func = node.func
            if isinstance(func, ast.Name):
                name = func.id
            elif isinstance(getattr(func, "value", None), ast.Name) and func.value.id == "i18n":
                name = func.attr  # i18n.t(...); not str.translate
            elif (
                isinstance(getattr(func, "value", None), ast.Name)
                and func.value.id in ("words", "self")
                and func.attr == "t"
            ):
                name = "t"  # the briefing's words.t(...), and self.t(...) in reports.words.Words
            else:
                name = None
            if name in LOOKUPS:
                argument = node.args[0] if node.args else None
                calls.append((path.name, node.lineno, argument))
    return calls


def _key_of(argument: ast.expr | None) -> tuple[str, str] | None:
    """("literal", key) or ("prefix", prefix) for a key the scan understands, else None."""
    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
        return "literal", argument.value
    if isinstance(argument, ast.JoinedStr) and argument.values:
        head = argument.values[0]
        if isinstance(head, ast.Constant) and head.value in i18n.DYNAMIC_PREFIXES:
            return "prefix", head.value
    return None


USED = _t_calls()


def test_the_scan_finds_the_calls():
    """A sanity check on the scan itself: every page and the frame translate something."""
    files = {name for name, _, _ in USED}
    assert {"dashboard.py", "overview.py", "map.py", "forecasts.py", "upload.py"} <= files
    assert {"audit.py", "auth.py", "filters.py", "i18n.py"} <= files
    assert len(USED) > 250


def _literal_keys() -> list[tuple[str, int, str]]:
    """(file, line, key) of every ``t("literal key")`` call."""
    found = []
    for name, line, argument in USED:
        kind_and_key = _key_of(argument)
        if kind_and_key and kind_and_key[0] == "literal":
            found.append((name, line, kind_and_key[1]))
    return found


def test_every_key_used_in_the_code_is_in_the_english_catalogue():
    """The test that fails on a missing key: a ``t("…")`` whose key English lacks."""
    missing = [f"{name}:{line}: {key}" for name, line, key in _literal_keys() if key not in ENGLISH]
    assert not missing, "keys missing from threatmon/locales/en.json:\n" + "\n".join(missing)


def test_computed_keys_use_a_documented_prefix():
    """``t()`` takes a literal key, or an f-string that starts with a registry's prefix."""
    unknown = [f"{name}:{line}" for name, line, argument in USED if _key_of(argument) is None]
    assert not unknown, f"t() with a key the scan cannot check: {unknown}"


@pytest.mark.parametrize("prefix", i18n.DYNAMIC_PREFIXES)
def test_each_computed_family_matches_its_registry(prefix):
    """A family's keys are exactly its registry's: none missing, none left over."""
    expected = _dynamic_keys()[prefix]
    present = {key for key in ENGLISH if key.startswith(prefix)}
    assert sorted(expected - present) == [], f"missing from en.json under {prefix!r}"
    assert sorted(present - expected) == [], f"keys under {prefix!r} no registry knows"


def test_every_english_key_is_used():
    """No dead keys: each is used literally or belongs to a computed family."""
    literal = {key for _, _, key in _literal_keys()}
    families = set().union(*_dynamic_keys().values())
    assert sorted(set(ENGLISH) - literal - families) == []


@pytest.mark.parametrize("language", OTHERS)
def test_every_language_has_exactly_the_english_keys(language):
    catalogue = CATALOGUES[language]
    assert sorted(set(ENGLISH) - set(catalogue)) == [], f"missing from {language}.json"
    assert sorted(set(catalogue) - set(ENGLISH)) == [], f"only in {language}.json"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_text_is_empty(language):
    empty = [k for k, v in CATALOGUES[language].items() if not isinstance(v, str) or not v.strip()]
    assert empty == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_are_plain_names(language):
    """Only ``{name}``, ``{name:spec}`` or ``{name|unit}``: no attribute or index access
    into the values."""
    plain = re.compile(r"[a-z_][a-z0-9_]*")
    bad = {
        key: sorted(_fields(text))
        for key, text in CATALOGUES[language].items()
        if not all(plain.fullmatch(field) for field in _fields(text))
        or not all(plain.fullmatch(unit) for _, unit in counted(text))
    }
    assert bad == {}


#: How many plural forms each language's ``plural.<unit>`` has (threatmon.i18n.plural_form).
FORMS = {"en": 2, "ro": 3, "uk": 3}


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_unit_has_its_forms(language):
    """Every ``plural.<unit>``: the language's number of forms, each with its ``{n}``."""
    bad = {
        key: text
        for key, text in CATALOGUES[language].items()
        if key.startswith("plural.")
        and (
            len(text.split("|")) != FORMS[language]
            or not all(_fields(form) == {"n"} for form in text.split("|"))
        )
    }
    assert bad == {}


#: Nouns whose form depends on the number before them (after it, in a Ukrainian label
#: without a colon: "інцидентів {count}"): next to a plain placeholder they are right for
#: some numbers only ("1 incidents", "20 incidente", "21 інцидентів"), so a text counts
#: with ``{count|incidents}`` instead, or puts the noun in a label ("rânduri: {rows}").
COUNTED_NOUNS = {
    "en": (
        "alerts",
        "batches",
        "forecasts",
        "countries",
        "crime types",
        "entries",
        "figures",
        "incidents",
        "lines",
        "months",
        "permutations",
        "problems",
        "quarters",
        "regions",
        "rows",
        "series",
        "values",
        "weeks",
        "years",
        "clear changes",
        "regional rows",
        "national rows",
        "more incidents",
        "fewer incidents",
        "more crime types",
        "conditional permutations",
        "quarterly totals",
        "reported months",
    ),
    "ro": (
        "alerte",
        "loturi",
        "prognoze",
        "țări",
        "tipuri",
        "înregistrări",
        "cifre",
        "incidente",
        "linii",
        "luni",
        "permutări",
        "probleme",
        "trimestre",
        "regiuni",
        "rânduri",
        "serii",
        "valori",
        "săptămâni",
        "ani",
        "schimbări",
        "totaluri",
    ),
    "uk": (
        "сповіщень",
        "сповіщення",
        "прогнозів",
        "прогнози",
        "пакетів",
        "пакети",
        "країн",
        "країни",
        "видів",
        "види",
        "типів",
        "типи",
        "записів",
        "записи",
        "показників",
        "показники",
        "інцидентів",
        "інциденти",
        "рядків",
        "рядки",
        "місяців",
        "місяці",
        "перестановок",
        "перестановки",
        "проблем",
        "проблеми",
        "кварталів",
        "квартали",
        "регіонів",
        "регіони",
        "рядів",
        "ряди",
        "значень",
        "тижнів",
        "тижні",
        "років",
        "роки",
        "змін",
        "зміни",
        "підсумків",
        "підсумки",
        "звітних",
        "квартальних",
        "умовних",
        "додаткових",
        "регіональних",
        "національних",
    ),
}
#: Texts that keep a plain count before a counted noun, and why it is always right.
COUNTED_BY_HAND = {
    # The renderer fills it with plain numbers ("{total}" is passed as itself), and only
    # for a table cut short: at least 2 rows.
    ("en", "briefing.label.truncated"),
}
#: Placeholders that hold words or lists, never a number ("{adjective} figures").
NOT_NUMBERS = ("adjective", "allowed", "batches", "codes", "granularity", "per")
_PLAIN = rf"\{{(?!(?:{'|'.join(NOT_NUMBERS)})\b)[a-z_][a-z0-9_]*(?::[^{{}}]*)?\}}"


def _miscounted(language: str, text: str) -> list[str]:
    """The places of ``text`` where a plain placeholder stands next to a counted noun."""
    nouns = "|".join(re.escape(noun) for noun in COUNTED_NOUNS[language])
    after = rf"{_PLAIN}\s+(?:de\s+)?(?:{nouns})(?![\w])"
    before = rf"(?<![\w])(?:{nouns})\s+{_PLAIN}"
    found = [match.group(0) for match in re.finditer(after, text)]
    if language == "uk":
        found += [match.group(0) for match in re.finditer(before, text)]
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_count_takes_its_plural_form(language):
    """No text writes a fixed noun form after a number: "{count|incidents}", not
    "{count} incidents" (issue 19)."""
    bad = {
        key: found
        for key, text in CATALOGUES[language].items()
        if (language, key) not in COUNTED_BY_HAND and not key.startswith("plural.")
        if (found := _miscounted(language, text))
    }
    assert bad == {}


def test_the_count_check_finds_fixed_forms():
    assert _miscounted("en", "{count} incidents in {month}, {n:,} rows") == [
        "{count} incidents",
        "{n:,} rows",
    ]
    assert _miscounted("en", "{count|incidents}, {count} more, rows: {rows}") == []
    assert _miscounted("ro", "{count} de permutări; {total} regiuni") == [
        "{count} de permutări",
        "{total} regiuni",
    ]
    assert _miscounted("uk", "інцидентів {count}, {total} рядків; рядків: {rows}") == [
        "{total} рядків",
        "інцидентів {count}",
    ]
    assert _miscounted("uk", "{count|incidents}; сповіщень: {count}") == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_counted_placeholders_name_a_unit(language):
    """``{count|unit}`` needs ``plural.<unit>``; otherwise the text would not fit."""
    bad = {
        key: unit
        for key, text in CATALOGUES[language].items()
        for _, unit in counted(text)
        if f"plural.{unit}" not in CATALOGUES[language]
    }
    assert bad == {}


@pytest.mark.parametrize("language", OTHERS)
def test_each_translation_has_the_english_placeholders(language):
    catalogue = CATALOGUES[language]
    differ = {
        key: (sorted(_fields(text)), sorted(_fields(catalogue[key])))
        for key, text in ENGLISH.items()
        if key in catalogue and _fields(text) != _fields(catalogue[key])
    }
    assert differ == {}


CODE_SPAN = re.compile(r"`[^`]*`")


@pytest.mark.parametrize("language", OTHERS)
def test_commands_and_code_stay_as_they_are(language):
    """What is in backticks (commands, columns, variables) is copied, never translated."""
    catalogue = CATALOGUES[language]
    differ = {}
    for key, text in ENGLISH.items():
        english, translated = CODE_SPAN.findall(text), CODE_SPAN.findall(catalogue.get(key, text))
        if sorted(english) != sorted(translated):
            differ[key] = (english, translated)
    assert differ == {}


def test_romanian_uses_comma_below_letters():
    """ș and ț (comma below), never the cedilla forms ş and ţ."""
    cedilla = {k: v for k, v in CATALOGUES["ro"].items() if re.search("[şţŞŢ]", v)}
    assert cedilla == {}


def test_ukrainian_has_no_russian_only_letters():
    russian_only = {k: v for k, v in CATALOGUES["uk"].items() if re.search("[ёъыэЁЪЫЭ]", v)}
    assert russian_only == {}


#: Texts rightly the same as in English: names, symbols and technical abbreviations.
KEPT_AS_IN_ENGLISH: dict[str, list[str]] = {
    "ro": [
        "audit.title",  # Audit
        "briefing.p_below",  # p < {p}
        "briefing.p_equal",  # p = {p}
        "briefing.sensitive.total",  # Total
        "country.EE",  # Estonia
        "country.GE",  # Georgia
        "coverage.letter.admin1",  # R (regional)
        "coverage.letter.national",  # N (național)
        "forecasts.score.mase",  # MASE
        "forecasts.score.model",  # Model
        "map.hot.gi_z",  # Gi* z
        "map.hot.p_fdr",  # p (FDR)
        "overview.sensitive.total",  # Total
        "page.audit",  # Audit
        "upload.aliases.remove_label",  # Alias
        "upload.dropzone.size",  # {mb} MB
        "upload.summary.format",  # format {format}
        "upload.summary.tab",  # tab
    ],
    "uk": [
        "briefing.p_below",
        "briefing.p_equal",
        "forecasts.score.mase",
        "map.hot.gi_z",
        "map.hot.p_fdr",
    ],
}


@pytest.mark.parametrize("language", OTHERS)
def test_nothing_is_left_in_english_by_mistake(language):
    """A text identical to English must be on the list above (a forgotten translation
    usually is identical)."""
    words = re.compile(r"[A-Za-z]")
    same = sorted(
        key
        for key, text in CATALOGUES[language].items()
        if text == ENGLISH[key] and words.search(re.sub(r"`[^`]*`|\{[^}]*\}", "", text))
    )
    assert same == KEPT_AS_IN_ENGLISH[language]


# -- the code itself: no label bypasses the catalogues ----------------------------------------

#: Streamlit calls whose first argument, and these keywords, are text a person reads.
DISPLAY_CALLS = {
    "button",
    "caption",
    "checkbox",
    "date_input",
    "DateColumn",
    "DatetimeColumn",
    "download_button",
    "error",
    "expander",
    "file_uploader",
    "form_submit_button",
    "header",
    "info",
    "markdown",
    "metric",
    "multiselect",
    "MultiselectColumn",
    "NumberColumn",
    "radio",
    "segmented_control",
    "select_slider",
    "selectbox",
    "spinner",
    "status",
    "subheader",
    "success",
    "text_input",
    "TextColumn",
    "title",
    "toggle",
    "warning",
    "write",
}
#: Names of loggers, whose messages go to the server's log, not to a page.
_LOGGERS = {"logger", "log", "logging"}
TEXT_KEYWORDS = {"label", "help", "placeholder", "text", "title", "delta_description", "caption"}


def _literal_text(node: ast.expr | None) -> str:
    """The literal characters of a string expression (what no ``t()`` call produced)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(_literal_text(value) for value in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _literal_text(node.left) + _literal_text(node.right)
    if isinstance(node, ast.IfExp):
        return _literal_text(node.body) + _literal_text(node.orelse)
    return ""


def _untranslated(source: str, name: str) -> list[str]:
    """``name:line: 'text'`` for each literal label among ``source``'s Streamlit calls."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        called = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
        receiver = getattr(getattr(node.func, "value", None), "id", "")
        if receiver.lstrip("_").lower() in _LOGGERS:
            continue  # the server's log (logger.warning(...)), read by its operator
        texts = []
        if called in DISPLAY_CALLS:
            texts += node.args[:1]
            texts += [k.value for k in node.keywords if k.arg in TEXT_KEYWORDS]
        if called == "Page":
            texts += [k.value for k in node.keywords if k.arg == "title"]
        for keyword in node.keywords:
            if keyword.arg == "column_config" and isinstance(keyword.value, ast.Dict):
                texts += keyword.value.values
        for text in texts:
            if re.search(r"[A-Za-z]", _literal_text(text)):
                found.append(f"{name}:{node.lineno}: {_literal_text(text)!r}")
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_no_label_is_written_in_the_code(path):
    """Titles, captions, messages and widget labels come from ``t()``, never a literal."""
    assert _untranslated(path.read_text(encoding="utf-8"), path.name) == []


def test_the_label_check_finds_literals():
    """The check above would catch each way a literal label can be written."""
    source = """
st.title("Overview")
st.caption(f"{n} alerts")
st.warning(t("a.b") + " and more")
left.selectbox("Crime type", options, help=t("x"))
st.dataframe(frame, column_config={"user_name": "Who", "p": t("p")})
st.column_config.NumberColumn(t("ok"), help="Explains")
st.markdown(f"**{name}** · {role}")
st.Page(path, title="Sign in")
_LOGGER.warning("Upload refused: %s", who)
"""
    assert _untranslated(source, "x.py") == [
        "x.py:2: 'Overview'",
        "x.py:3: ' alerts'",
        "x.py:4: ' and more'",
        "x.py:5: 'Crime type'",
        "x.py:6: 'Who'",
        "x.py:7: 'Explains'",
        "x.py:9: 'Sign in'",
    ]
