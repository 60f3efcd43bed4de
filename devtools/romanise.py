"""Romanisation systems for the region names of ``threatmon/registry/data/region_names.csv``.

Each system is a letter table applied word by word; "initial" means at the start of a
word (after a space, hyphen or the start of the text). The tables follow the published
systems; where a system uses diacritics or apostrophes they are kept, since the matcher's
``fold()`` removes them anyway ("Zaporozh'ye" and "Zaporozhye" meet).

- :func:`ukrainian_kmu_2010`: the Ukrainian national system, **Resolution No. 55 of the
  Cabinet of Ministers of Ukraine, 27 January 2010** ("Про впорядкування транслітерації
  українського алфавіту латиницею"), adopted by the UN (2012) and as **BGN/PCGN 2019
  Ukrainian**. Є ї й ю я are ye yi y yu ya at the start of a word and ie i i iu ia
  elsewhere; зг is zgh; the soft sign and the apostrophe are dropped.
- :func:`ukrainian_bgn_pcgn_1965`: **BGN/PCGN 1965 Ukrainian**, the system of most English
  maps and data sets before 2010 (UCDP's "Zaporizhzhya", "Mykolayiv", "Khmel'nyts'kyy"):
  є ї й ю я are ye yi y yu ya everywhere; the soft sign is ʹ.
- :func:`russian_bgn_pcgn_1947`: **BGN/PCGN 1947 Russian** ("Nikolayev", "Zaporozh'ye",
  "Kishinëv"): е and ё are ye and yë at the start of a word, after a vowel, й, ъ or ь; the
  soft sign is ʹ.
- :func:`russian_simplified`: the simplified English transcription of Russian that the
  press and many data sets use, with no formal standard ("Kiev", "Nikolaev", "Kharkov",
  "Kishinyov"): BGN/PCGN 1947 with е always e (ye only at the start of a word), ё yo, the
  soft and hard signs dropped and a final -ий/-ый written -y.
- :func:`georgian_national_2002`: the **Georgian national system (2002)**, used by the
  government and adopted by BGN/PCGN in 2009; the ejectives keep their apostrophe.

ISO 9 is not used: it writes Cyrillic with diacritics (ž, č, š, â) that fold into forms no
source writes ("zaporizza").
"""

from __future__ import annotations

import unicodedata

_KMU = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie",
    "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu",
    "я": "ia", "'": "", "’": "", "ʼ": "",
}  # fmt: skip
_KMU_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}

_BGN_UK = {
    **_KMU,
    "є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya", "ь": "ʹ",
    "'": "ʺ", "’": "ʺ", "ʼ": "ʺ",
}  # fmt: skip

_BGN_RU = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "ë", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "ʺ", "ы": "y", "ь": "ʹ", "э": "e", "ю": "yu",
    "я": "ya",
}  # fmt: skip
_RU_VOWELS = frozenset("аеёиоуыэюя")
_RU_IOTATING = _RU_VOWELS | frozenset("йъь")

_GEORGIAN = {
    "ა": "a", "ბ": "b", "გ": "g", "დ": "d", "ე": "e", "ვ": "v", "ზ": "z", "თ": "t",
    "ი": "i", "კ": "k'", "ლ": "l", "მ": "m", "ნ": "n", "ო": "o", "პ": "p'", "ჟ": "zh",
    "რ": "r", "ს": "s", "ტ": "t'", "უ": "u", "ფ": "p", "ქ": "k", "ღ": "gh", "ყ": "q'",
    "შ": "sh", "ჩ": "ch", "ც": "ts", "ძ": "dz", "წ": "ts'", "ჭ": "ch'", "ხ": "kh",
    "ჯ": "j", "ჰ": "h",
}  # fmt: skip


def _cased(latin: str, upper: bool) -> str:
    return latin[:1].upper() + latin[1:] if upper and latin else latin


def _apply(text: str, letter) -> str:
    """Romanise ``text`` with ``letter(lower, previous, following, initial) -> str | None``.

    ``previous`` and ``following`` are the neighbouring letters in lower case ("" at the
    ends), ``initial`` tells whether the letter starts a word; None keeps the character.
    """
    text = unicodedata.normalize("NFC", text)
    lowered = text.lower()
    out: list[str] = []
    for index, char in enumerate(text):
        lower = lowered[index]
        previous = lowered[index - 1] if index else ""
        following = lowered[index + 1 : index + 3]
        initial = not previous or (not previous.isalpha() and previous not in "'’ʼ")
        latin = letter(lower, previous, following, initial)
        out.append(char if latin is None else _cased(latin, char != lower))
    return "".join(out)


def ukrainian_kmu_2010(text: str) -> str:
    """Ukrainian Cyrillic → Latin by the national system (KMU 2010, = BGN/PCGN 2019).

    >>> ukrainian_kmu_2010("Запоріжжя"), ukrainian_kmu_2010("Миколаївська область")
    ('Zaporizhzhia', 'Mykolaivska oblast')
    >>> ukrainian_kmu_2010("Згурівка"), ukrainian_kmu_2010("Їжакевич")
    ('Zghurivka', 'Yizhakevych')
    """

    def letter(char: str, previous: str, following: str, initial: bool) -> str | None:
        if char == "г" and previous == "з":
            return "gh"
        if initial and char in _KMU_INITIAL:
            return _KMU_INITIAL[char]
        return _KMU.get(char)

    return _apply(text, letter)


def ukrainian_bgn_pcgn_1965(text: str) -> str:
    """Ukrainian Cyrillic → Latin by BGN/PCGN 1965.

    >>> ukrainian_bgn_pcgn_1965("Запоріжжя"), ukrainian_bgn_pcgn_1965("Миколаїв")
    ('Zaporizhzhya', 'Mykolayiv')
    >>> ukrainian_bgn_pcgn_1965("Хмельницький"), ukrainian_bgn_pcgn_1965("Київ")
    ('Khmelʹnytsʹkyy', 'Kyyiv')
    """
    return _apply(text, lambda char, previous, following, initial: _BGN_UK.get(char))


def russian_bgn_pcgn_1947(text: str) -> str:
    """Russian Cyrillic → Latin by BGN/PCGN 1947.

    >>> russian_bgn_pcgn_1947("Николаев"), russian_bgn_pcgn_1947("Запорожье")
    ('Nikolayev', 'Zaporozhʹye')
    >>> russian_bgn_pcgn_1947("Кишинёв"), russian_bgn_pcgn_1947("Единцы")
    ('Kishinëv', 'Yedintsy')
    """

    def letter(char: str, previous: str, following: str, initial: bool) -> str | None:
        if char in "её" and (initial or previous in _RU_IOTATING):
            return "ye" if char == "е" else "yë"
        return _BGN_RU.get(char)

    return _apply(text, letter)


def russian_simplified(text: str) -> str:
    """Russian Cyrillic → the simplified English transcription ("Kiev", "Nikolaev").

    >>> russian_simplified("Киев"), russian_simplified("Николаевская область")
    ('Kiev', 'Nikolaevskaya oblast')
    >>> russian_simplified("Кишинёв"), russian_simplified("Хмельницкий")
    ('Kishinyov', 'Khmelnitsky')
    """

    def letter(char: str, previous: str, following: str, initial: bool) -> str | None:
        if char == "е":
            return "ye" if initial else "e"
        if char == "ё":
            return "yo"
        if char in "ьъ":
            return ""
        word_end = following[:1] == "й" and not following[1:2].isalpha()
        if char in "иы" and word_end:
            return "y"  # -ий and -ый at the end of a word: "Khmelnitsky"
        if char == "й" and previous in "иы" and not following[:1].isalpha():
            return ""
        return _BGN_RU.get(char)

    return _apply(text, letter)


def georgian_national_2002(text: str) -> str:
    """Georgian (Mkhedruli) → Latin by the national system of 2002.

    >>> georgian_national_2002("აჭარა"), georgian_national_2002("ქვემო ქართლი")
    ("Ach'ara", 'Kvemo Kartli')
    """
    out = _apply(text, lambda char, previous, following, initial: _GEORGIAN.get(char))
    # Mkhedruli has no case: capitalise each word as English names are written.
    return " ".join("-".join(p[:1].upper() + p[1:] for p in w.split("-")) for w in out.split(" "))


SYSTEMS = {
    "uk": (
        (
            ukrainian_kmu_2010,
            "KMU 2010 romanisation (Resolution No. 55 of the Cabinet of Ministers of "
            "Ukraine, 27 Jan 2010; = BGN/PCGN 2019 Ukrainian)",
        ),
        (ukrainian_bgn_pcgn_1965, "BGN/PCGN 1965 Ukrainian romanisation"),
    ),
    "ru": (
        (russian_bgn_pcgn_1947, "BGN/PCGN 1947 Russian romanisation"),
        (
            russian_simplified,
            "simplified English transcription of Russian (е → e, ё → yo, no soft sign), "
            "as in the press",
        ),
    ),
    "ka": ((georgian_national_2002, "Georgian national romanisation (2002)"),),
}
"""Language → the (function, source text) of each system applied to its names."""
