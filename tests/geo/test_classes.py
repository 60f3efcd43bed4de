import numpy as np
import pandas as pd
import pytest

from geo.classes import CHANGE_BREAKS, ClassWords, classify, classify_change, english_number


def romanian(value: float, decimals: int = 0, sign: bool = False) -> str:
    """Romanian separators, as ``ui.i18n.number`` writes them."""
    return english_number(value, decimals, sign).translate(str.maketrans(",.", ".,"))


ROMANIAN = ClassWords(number=romanian, below="sub {value}", above="peste {value}")


def test_quantiles_put_about_equal_counts_in_each_class():
    values = pd.Series(np.arange(1.0, 101.0))
    index, classes = classify(values, "quantiles", 4)
    assert classes.k == 4
    assert index.value_counts().sort_index().tolist() == [25, 25, 25, 25]
    assert classes.edges[0] == 1.0 and classes.edges[-1] == 100.0


def test_every_value_lies_within_its_class_edges():
    values = pd.Series([0.5, 3.0, 3.0, 7.2, 11.0, 40.0, 41.0, 300.0])
    for method in ("quantiles", "natural_breaks", "equal_interval", "head_tail", "std_mean"):
        index, classes = classify(values, method, 5)
        for value, i in zip(values, index, strict=True):
            low, high = classes.edges[i], classes.edges[i + 1]
            assert (low <= value <= high) if i == 0 else (low < value <= high), (method, value)


def test_missing_values_get_class_minus_one_and_the_input_is_untouched():
    values = pd.Series([1.0, np.nan, 5.0, 9.0], index=["a", "b", "c", "d"])
    before = values.copy()
    index, _ = classify(values, "equal_interval", 2)
    assert index.to_dict() == {"a": 0, "b": -1, "c": 0, "d": 1}
    pd.testing.assert_series_equal(values, before)


def test_fewer_distinct_values_than_classes_gives_fewer_classes():
    index, classes = classify(pd.Series([2.0, 2.0, 8.0]), "quantiles", 5)
    assert classes.k == 2
    assert index.tolist() == [0, 0, 1]


def test_a_single_value_is_one_class():
    index, classes = classify(pd.Series([4.0, 4.0]), "natural_breaks", 5)
    assert classes.labels == ("4",)
    assert index.tolist() == [0, 0]


def test_unknown_method_and_bad_k_are_refused():
    with pytest.raises(ValueError, match="Unknown classification method 'jenks'"):
        classify(pd.Series([1.0]), "jenks", 5)
    with pytest.raises(ValueError, match="`k` must be between 2 and 9. Got 12."):
        classify(pd.Series([1.0]), "quantiles", 12)


def test_change_classes_are_centred_on_zero_and_match_the_change_levels():
    index, classes = classify_change(pd.Series([-80.0, -30.0, -5.0, 0.0, 9.9, 10.0, 60.0, np.nan]))
    assert CHANGE_BREAKS == (-50.0, -25.0, -10.0, 10.0, 25.0, 50.0)
    assert index.tolist() == [0, 1, 3, 3, 3, 3, 6, -1]
    assert classes.labels[3] == "-10 % – +10 %"
    assert classes.labels[0] == "below -50 %" and classes.labels[-1] == "above +50 %"


def test_class_labels_write_numbers_and_words_as_given():
    values = pd.Series([0.5, 1234.0, 2000.0])
    _, english = classify(values, "equal_interval", 2)
    _, romanian_classes = classify(values, "equal_interval", 2, ROMANIAN)
    assert english.labels == ("0.5 – 1,000", "1,000 – 2,000")
    assert romanian_classes.labels == ("0,5 – 1.000", "1.000 – 2.000")
    assert romanian_classes.edges == english.edges
    _, change = classify_change(pd.Series([1.0]), ROMANIAN)
    assert change.labels[0] == "sub -50 %" and change.labels[-1] == "peste +50 %"
    assert change.labels[3] == "-10 % – +10 %"
