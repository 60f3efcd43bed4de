"""Streamlit's uploader in the chosen language (ui/dropzone.py)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from threatmon.settings import DB_ENV_VAR
from ui import i18n
from ui.dropzone import css_string, dropzone_css, dropzone_texts

APP = Path(__file__).resolve().parents[2] / "dashboard.py"
TYPES = ("csv", "xlsx")


def test_the_texts_carry_the_limit_and_the_types():
    assert dropzone_texts(TYPES, "ro") == {
        "button": "Alegeți fișierul",
        "limit": "Cel mult 100 MB per fișier • CSV, XLSX",
    }
    assert dropzone_texts(TYPES, "uk")["limit"] == "До 100 МБ на файл • CSV, XLSX"


def test_english_keeps_streamlits_words():
    assert dropzone_css("upload_file", TYPES, "en") == ""


def test_the_style_is_scoped_to_one_uploader_and_cannot_be_broken_out_of():
    css = dropzone_css("upload_file", TYPES, "uk")
    assert css.startswith("<style>") and css.endswith("</style>")
    assert css.count(".st-key-upload_file [data-testid='stFileUploaderDropzone']") == 4
    assert css_string('a"b</style>') == '"a\\22 b\\3c \\2f style\\3e "'
    assert "</" not in css[len("<style>") : -len("</style>")]


def test_the_upload_page_words_its_uploader(demo_store_path, monkeypatch):
    monkeypatch.setenv(DB_ENV_VAR, str(demo_store_path))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params = {"lang": "uk"}
    at.run()
    at.switch_page("pages/upload.py").run()
    assert not at.exception
    uploader = at.get("file_uploader")[0]
    assert uploader.proto.label == i18n.translate("upload.file.label", "uk")
    styles = [element.proto.body for element in at.get("html")]
    assert any(css_string("Вибрати файл") in body for body in styles)
    assert any(
        css_string("До 100 МБ на файл • CSV, TXT, TSV, XLSX, PARQUET") in body for body in styles
    )
