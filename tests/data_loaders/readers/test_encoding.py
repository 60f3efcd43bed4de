"""CSV encodings: UTF-8, UTF-16 and the code pages told apart, mixed text refused."""

import pytest

ROMANIAN = "oraș;județ\nBucureşti;Ilfov\nTimişoara;Timiş\nConstanţa;Constanţa\nBrăila;Brăila\n"
HUNGARIAN = "város,megye\nGyőr,Győr-Moson-Sopron\nSzékesfehérvár,Fejér\nHódmezővásárhely,Csongrád\n"
POLISH = "miasto,województwo\nŁódź,łódzkie\nWrocław,dolnośląskie\nGdańsk,pomorskie\n"
UKRAINIAN = "місто,область\nКиїв,Київська\nЛьвів,Львівська\nЧернівці,Чернівецька\n"
RUSSIAN = "date,country,source\n2024-01-01,MD,Пограничная полиция\n2024-01-02,MD,Border Police\n"
FRENCH = "ville,région\nGenève,Rhône-Alpes\nSaint-Étienne,Loire\nBesançon,Doubs\nNîmes,Gard\n"
SPANISH = "ciudad,año\nMálaga,2024\nCoruña,2023\nLogroño,2021\n"


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (HUNGARIAN, "utf-8"),
        (UKRAINIAN, "utf-8-sig"),
        (ROMANIAN.replace("ș", "s").replace("ț", "t"), "cp1250"),
        (HUNGARIAN, "cp1250"),
        (POLISH, "cp1250"),
        (UKRAINIAN, "cp1251"),
        (RUSSIAN, "cp1251"),
        (FRENCH, "cp1252"),
        (SPANISH, "cp1252"),
        (POLISH, "utf-16"),
    ],
)
def test_encoding_is_detected_and_text_decoded(load, text, encoding):
    raw, rows = load("cities.csv", text.encode(encoding))
    assert raw.encoding == encoding
    lines = text.splitlines()
    assert raw.columns == tuple(lines[0].split(raw.delimiter))
    assert [list(row[1:]) for row in rows] == [line.split(raw.delimiter) for line in lines[1:]]


def test_legacy_bytes_after_a_long_ascii_head_are_still_decoded(load):
    """The first MB is plain ASCII; DuckDB finds the Windows-1252 bytes and we fall back."""
    text = "city,n\n" + "Paris,1\n" * 150_000 + "Genève,2\nMálaga,3\nLogroño,4\n"
    raw, rows = load("late.csv", text.encode("cp1252"))
    assert raw.encoding == "cp1252"
    assert raw.rows == 150_003
    assert rows[-3:] == [
        (150_002, "Genève", "2"),
        (150_003, "Málaga", "3"),
        (150_004, "Logroño", "4"),
    ]


def test_utf8_mixed_with_a_legacy_encoding_is_refused(refused):
    data = "city,n\nKraków,1\n".encode() + b"Paris,1\n" * 150_000 + "Łódź,2\n".encode("cp1250")
    error = refused("mixed.csv", data)
    assert str(error) == (
        "mixed.csv mixes UTF-8 text (line 2) with text in another encoding (line 150,003), so "
        "its characters cannot be decoded reliably. Save it again as 'CSV UTF-8' and upload "
        "that."
    )


def test_byte_undefined_in_the_detected_code_page_is_refused(refused):
    """0x81 is undefined in Windows-1250 and 1252; 0x98 in 1250 and 1251."""
    error = refused("odd.csv", "a,b\nŁódź,1\n".encode("cp1250") + b"x\x81\x98,2\n")
    assert "is not valid in it. Save the file as 'CSV UTF-8' and upload that." in str(error)
