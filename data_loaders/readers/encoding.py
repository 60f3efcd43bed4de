"""Which encoding a CSV is in, and its transcoding to UTF-8 for DuckDB.

DuckDB reads only UTF-8 offline (its ``encodings`` extension is downloaded at run
time). A UTF-8 BOM means ``utf-8-sig``, a UTF-16 BOM ``utf-16``; a head that
decodes as UTF-8 is tried as UTF-8 and DuckDB checks every byte. Anything else is
Windows-1250, 1251 or 1252, chosen by which reading one language explains best
(:func:`_plausibility`), and transcoded to a temporary UTF-8 file chunk by chunk.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections import Counter
from pathlib import Path

from data_loaders.readers.scan import CHUNK, Bytes, line_blocks
from threatmon.errors import UnreadableFileError

_ENCODING_NAMES = {
    "cp1250": "Windows-1250 (Central European)",
    "cp1251": "Windows-1251 (Cyrillic)",
    "cp1252": "Windows-1252 (Western European)",
    "utf-16": "UTF-16",
}


def encoding_from_head(head: bytes, size: int) -> str | None:
    """The encoding the head shows; None means a legacy code page (decided later)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) == size)
    except UnicodeDecodeError:
        return None
    # Still tentative: DuckDB checks the rest and we fall back if it finds otherwise.
    return "utf-8"


def transcode(path: Path, target: Path, encoding: str, name: str) -> Bytes:
    """Write ``path`` as UTF-8 to ``target`` chunk by chunk (DuckDB reads only UTF-8)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    digest = hashlib.sha256()
    newlines = crs = 0
    with open(path, "rb") as source, open(target, "wb") as sink:
        while True:
            chunk = source.read(CHUNK)
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                bad = chunk[exc.start : exc.start + 1].hex().upper() or "?"
                line = newlines + chunk[: exc.start].count(b"\n") + 1
                where = f" on line {line}" if encoding != "utf-16" else ""
                raise UnreadableFileError(
                    f"{name} looks like {_ENCODING_NAMES[encoding]} text, but byte 0x{bad}"
                    f"{where} is not valid in it. Save the file as 'CSV UTF-8' and upload "
                    "that."
                ) from exc
            digest.update(chunk)
            encoded = text.encode("utf-8")
            newlines += encoded.count(b"\n")
            crs += encoded.count(b"\r")
            sink.write(encoded)
            if not chunk:
                break
    # A file of old-Mac line endings has only CRs; count those instead.
    return Bytes(digest.hexdigest(), newlines if newlines or not crs else crs)


_CYRILLIC = "".join(chr(c) for c in range(0x400, 0x500))
# Letters each code page's languages use beyond ASCII. A decoding is plausible when one
# language explains its non-ASCII letters: Hungarian "ő" read as cp1252 is "õ", which
# Portuguese has, but no cp1252 language has "õ" next to "ö" and "ű"→"û".
_LANGUAGES = {
    "cp1250": (
        "ąćęłńóśźż",  # Polish
        "áéíóöőúüű",  # Hungarian
        "áčďéěíňóřšťúůýž",  # Czech
        "áäčďéíĺľňóôŕšťúýž",  # Slovak
        "ăâîşţ",  # Romanian (legacy cedilla forms: cp1250 has no ș ț)
        "čćđšž",  # Croatian, Slovene
        "äöüß",  # German
    ),
    "cp1251": (_CYRILLIC,),
    "cp1252": (
        "àâæçéèêëîïôœùûüÿ",  # French
        "äöüß",  # German
        "áéíñóúü",  # Spanish
        "áàâãçéêíóôõú",  # Portuguese
        "àèéìíîòóù",  # Italian
        "åæøéäö",  # Nordic
    ),
}
_WORD = re.compile(r"[^\W\d_]+")


def guess_legacy_encoding(path: Path, name: str) -> str:
    """cp1250, cp1251 or cp1252, by how plausible the decoded text is.

    Scores up to 64 KB of the lines that are not plain ASCII, and scans on until it
    finds one that is not UTF-8 either: a file mixing both is refused.
    """
    sample, size = [], 0
    # The first line of each kind, to name them when both are found (1 = the header).
    first_utf8 = first_other = None
    line = 1
    for block in line_blocks(path, b"\n"):
        start, line = line, line + block.count(b"\n") + 1
        if block.isascii():
            continue
        try:
            block.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:  # the whole block is UTF-8; only where it starts matters
            if first_utf8 is None:
                first_utf8 = start + _first_non_ascii_line(block)
            continue
        for number, text in enumerate(block.split(b"\n"), start):
            if text.isascii():
                continue
            try:
                text.decode("utf-8")
                first_utf8 = first_utf8 or number
            except UnicodeDecodeError:
                first_other = first_other or number
                if size < 64 * 1024:
                    sample.append(text)
                    size += len(text)
            if size >= 64 * 1024:
                break
        if size >= 64 * 1024:
            break
    if first_utf8 and first_other:
        raise UnreadableFileError(
            f"{name} mixes UTF-8 text (line {first_utf8:,}) with text in another encoding "
            f"(line {first_other:,}), so its characters cannot be decoded reliably. Save it "
            "again as 'CSV UTF-8' and upload that."
        )
    data = b"\n".join(sample)
    texts = {enc: data.decode(enc, errors="replace") for enc in _LANGUAGES}
    scores = {enc: _plausibility(text, enc) for enc, text in texts.items()}
    # Ties: when both read the sample alike (German: ä ö ü ß) report the Western default;
    # otherwise Central European first, as most of this project's sources are.
    order = ["cp1250", "cp1252", "cp1251"]
    if texts["cp1250"] == texts["cp1252"]:
        order = ["cp1252", "cp1250", "cp1251"]
    return max(order, key=lambda enc: scores[enc])


def _first_non_ascii_line(block: bytes) -> int:
    """0-based index of the first line of ``block`` that is not plain ASCII."""
    return next(i for i, text in enumerate(block.split(b"\n")) if not text.isascii())


def _plausibility(text: str, encoding: str) -> float:
    """How well the languages of ``encoding`` explain the non-ASCII letters of ``text``.

    The sum of two shares: letters that some language of the code page uses (names
    from Poland, Romania and Hungary in one file), and letters that its single best
    language uses (Hungarian "ő" read as cp1252 is "õ", which Portuguese has, but no
    cp1252 language has "õ" next to "ö" and "û").
    """
    counts: Counter[str] = Counter()
    for word in _WORD.findall(text.lower()):
        if word.isascii():
            continue
        foreign = [c for c in word if not c.isascii()]
        if encoding == "cp1251":
            # Cyrillic letters inside Latin words: Latin text misread as Cyrillic.
            implausible = len(foreign) < len(word)
        else:
            # Long words without one ASCII letter: Cyrillic text misread as Latin.
            implausible = len(word) >= 4 and len(foreign) == len(word)
        if implausible:
            counts["\x00"] += len(foreign)
        else:
            counts.update(foreign)
    pattern = _UNLIKELY.get(encoding)
    unlikely = len(pattern.findall(text.lower())) if pattern else 0
    # A symbol touching a letter ("£ód", Polish Ł read as cp1252) is a misread letter.
    unlikely += len(_SYMBOL_BY_LETTER.findall(text))
    total = sum(counts.values()) + 4 * text.count("\ufffd") + 2 * unlikely
    if total == 0:
        return 0.0
    languages = [set(language) for language in _LANGUAGES[encoding]]
    some = sum(counts[c] for c in set().union(*languages))
    best = max(sum(counts[c] for c in language) for language in languages)
    return (some + best) / total


_SYMBOL_BY_LETTER = re.compile(r"[^\x00-\x7f\w\s](?=[^\W\d_])|(?<=[^\W\d_])[^\x00-\x7f\w\s]")
# Spellings that a misreading produces and the languages do not use. Western letters
# read as cp1250: ñ → ń and à/å → ŕ/ĺ before vowels (Polish writes "ni" + vowel; ŕ ĺ
# are syllabic in Slovak), ì → ě after letters Czech never puts it after, è → č before
# v/m (Genève, système), õ → ő before a vowel, ã → ă before o/e. Central European letters
# read as cp1252: ń → ñ not before a vowel (Poznań), ő → õ and ă → ã before consonants
# Portuguese never puts after them.
_UNLIKELY = {
    "cp1250": re.compile(
        r"[ńŕĺ](?=[aeiouyáéíóú])|[ŕĺ]\b|(?<![bdfmnptv])ě|č(?=[vm])|[őű](?=[aeiouáéíóú])"
        r"|ă(?=[oe])"
    ),
    "cp1252": re.compile(r"ñ(?![aeiouáéíóú])|õ(?=[^\W\d_])(?![es])|ã(?=[^\W\d_])(?![oes])"),
}
