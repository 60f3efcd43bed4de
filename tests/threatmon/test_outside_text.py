"""File names from outside are shown and stored with unsafe characters made visible."""

from threatmon.outside_text import neutral_name


def test_overrides_marks_and_controls_are_written_as_code_points():
    assert neutral_name("report\u202egpj.exe") == "report<U+202E>gpj.exe"
    assert neutral_name("a\u200fb\x00c\td") == "a<U+200F>b<U+0000>c<U+0009>d"
    assert neutral_name("Raport lunar – Chișinău.xlsx") == "Raport lunar – Chișinău.xlsx"
