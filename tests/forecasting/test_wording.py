import math
import pickle

import pytest

from forecasting.wording import (
    NOTE_KEYS,
    Amount,
    Count,
    Country,
    Earlier,
    Model,
    Note,
    Per,
    PValue,
    Share,
    Worded,
    from_json,
    note,
    to_json,
)


def test_a_note_needs_a_known_key():
    with pytest.raises(ValueError, match="Unknown note 'nonsense'; add it to NOTE_KEYS."):
        note("nonsense")
    assert note("gap_after", last="2026-07").values == {"last": "2026-07"}


def test_notes_go_through_json_and_back_with_their_types():
    notes = (
        note("skill", model=Model("sarimax", 1), ratio=Amount(0.58, 2)),
        note(
            "low_volume",
            mean=Amount(12.0),
            per=Per("months"),
            total=Amount(140.0),
            ahead=Count(12, "months"),
        ),
        note("link_best", when=Earlier(2, "months"), r=Amount(0.89, 2, sign=True)),
        note("flows_country", country=Country("PL")),
        note("default_kept", model=Model("ets"), margin=Share(0.2)),
        note("granger_yes", p=PValue(0.0004)),
        note("not_reconciled"),
    )
    assert from_json(to_json(notes)) == notes
    assert from_json("") == () and from_json(None) == () and from_json(math.nan) == ()


def test_json_is_strict():
    text = to_json([note("effect_used_unsized", r=math.nan, lag=Count(1, "months"))])
    assert "NaN" not in text
    assert from_json(text)[0].values["r"] is None


def test_notes_and_worded_texts_pickle():
    # The dashboard's cache pickles what ui.data returns.
    said = note("flows_all")
    assert pickle.loads(pickle.dumps(said)) == said
    text = Worded("all arrivals from Ukraine", said)
    back = pickle.loads(pickle.dumps(text))
    assert back == "all arrivals from Ukraine" and back.note == said
    assert isinstance(back, str)


def test_note_keys_are_unique():
    assert len(NOTE_KEYS) == len(set(NOTE_KEYS))
    assert isinstance(Note("flows_all").values, type(note("flows_all").values))
