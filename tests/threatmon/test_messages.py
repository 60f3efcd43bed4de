import pytest

from threatmon.messages import Message, odds


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        (3e-7, Message("odds.below_million")),
        (0.0, Message("odds.below_million")),
        (float("nan"), Message("odds.below_million")),
        (1e-6, Message("odds.about", {"n": 1_000_000})),
        (3.3e-4, Message("odds.about", {"n": 3_000})),
        (1.5e-4, Message("odds.about", {"n": 6_700})),
        (0.0123, Message("odds.about", {"n": 81})),
        (0.15, Message("odds.about", {"n": 7})),
        (1.0, Message("odds.about", {"n": 1})),
    ],
)
def test_a_probability_in_words_never_in_scientific_notation(p, expected):
    assert odds(p) == expected


def test_a_message_without_values_has_an_empty_mapping():
    assert Message("odds.below_million").params == {}
