"""The romanisation systems that generate region_names.csv write what the systems say."""

import pytest

from devtools.romanise import (
    georgian_national_2002,
    russian_bgn_pcgn_1947,
    russian_simplified,
    ukrainian_bgn_pcgn_1965,
    ukrainian_kmu_2010,
)


@pytest.mark.parametrize(
    ("cyrillic", "kmu", "bgn"),
    [
        ("Запоріжжя", "Zaporizhzhia", "Zaporizhzhya"),
        ("Миколаїв", "Mykolaiv", "Mykolayiv"),
        ("Київ", "Kyiv", "Kyyiv"),
        ("Хмельницький", "Khmelnytskyi", "Khmelʹnytsʹkyy"),
        ("Луганськ", "Luhansk", "Luhansʹk"),
        ("Івано-Франківськ", "Ivano-Frankivsk", "Ivano-Frankivsʹk"),
        ("Яготин", "Yahotyn", "Yahotyn"),  # initial я
        ("Згурівка", "Zghurivka", "Zhurivka"),  # KMU writes зг as zgh
        ("Їжакевич", "Yizhakevych", "Yizhakevych"),
        ("Знам'янка", "Znamianka", "Znamʺyanka"),  # the apostrophe
        ("Чернівецька область", "Chernivetska oblast", "Chernivetsʹka oblastʹ"),
    ],
)
def test_ukrainian_systems(cyrillic, kmu, bgn):
    assert ukrainian_kmu_2010(cyrillic) == kmu
    assert ukrainian_bgn_pcgn_1965(cyrillic) == bgn


@pytest.mark.parametrize(
    ("cyrillic", "bgn", "simplified"),
    [
        ("Николаев", "Nikolayev", "Nikolaev"),
        ("Запорожье", "Zaporozhʹye", "Zaporozhe"),
        ("Киев", "Kiyev", "Kiev"),
        ("Харьков", "Kharʹkov", "Kharkov"),
        ("Кишинёв", "Kishinëv", "Kishinyov"),
        ("Единцы", "Yedintsy", "Yedintsy"),
        ("Бельцы", "Belʹtsy", "Beltsy"),
        ("Днепропетровская область", "Dnepropetrovskaya oblastʹ", "Dnepropetrovskaya oblast"),
        ("Хмельницкий", "Khmelʹnitskiy", "Khmelnitsky"),
        ("Новые Анены", "Novyye Aneny", "Novye Aneny"),
    ],
)
def test_russian_systems(cyrillic, bgn, simplified):
    assert russian_bgn_pcgn_1947(cyrillic) == bgn
    assert russian_simplified(cyrillic) == simplified


@pytest.mark.parametrize(
    ("georgian", "latin"),
    [
        ("აჭარა", "Ach'ara"),
        ("ქვემო ქართლი", "Kvemo Kartli"),
        ("მცხეთა-მთიანეთი", "Mtskheta-Mtianeti"),
        ("თბილისი", "Tbilisi"),
    ],
)
def test_georgian_national_system(georgian, latin):
    assert georgian_national_2002(georgian) == latin


def test_latin_text_is_left_alone():
    assert ukrainian_kmu_2010("Oblast 7") == "Oblast 7"
    assert russian_bgn_pcgn_1947("Kagul") == "Kagul"
