"""The map's words in a language: what ``geo`` writes in legends and tooltips, translated.

``geo`` never translates (it must not import ``ui``): :class:`geo.symbology.MapWords`,
:class:`geo.classes.ClassWords` and :class:`geo.overlays.LayerWords` hold English, and
the Map page passes these instead. Numbers follow the language too ("100.000" in
Romanian, "100 000" in Ukrainian; :func:`ui.i18n.number`). Keys are written out, not
built, so that the catalogue checks (``tests/ui/test_catalogues.py``) see each one used.
"""

from __future__ import annotations

import functools
from types import MappingProxyType

from geo.classes import ClassWords
from geo.overlays import LayerWords
from geo.symbology import MEASURES, MapWords
from threatmon.registry.regions import load_regions
from ui.i18n import (
    current_language,
    emerging_label,
    layer_label,
    measure_label,
    number,
    region_names,
    translate,
)


def map_words(language: str | None = None) -> MapWords:
    """The legend's and tooltips' words of a region map in ``language`` (default: the
    session's)."""
    return _map_words(language or current_language())


def layer_words(language: str | None = None) -> LayerWords:
    """The crossing-point and heat legends' words in ``language`` (default: the session's)."""
    return _layer_words(language or current_language())


@functools.cache
def _map_words(language: str) -> MapWords:
    # A placeholder given as itself ("{value}") stays in the text, for geo to fill.
    classes = ClassWords(
        number=functools.partial(number, language=language),
        percent=translate("format.percent", language, value="{value}"),
        below=translate("map.legend.below", language, value="{value}"),
        above=translate("map.legend.above", language, value="{value}"),
    )
    return MapWords(
        classes=classes,
        measures=MappingProxyType({m: measure_label(m, language) for m in MEASURES}),
        published=translate("map.legend.published", language),
        hot_cold=MappingProxyType(
            {
                "hot": translate("map.legend.hot", language),
                "cold": translate("map.legend.cold", language),
                "none": translate("map.legend.not_significant", language),
            }
        ),
        moran=MappingProxyType(
            {
                "HH": translate("map.legend.moran_hh", language),
                "LL": translate("map.legend.moran_ll", language),
                "HL": translate("map.legend.moran_hl", language),
                "LH": translate("map.legend.moran_lh", language),
                "none": translate("map.legend.not_significant", language),
            }
        ),
        emerging=functools.partial(emerging_label, language=language),
        no_neighbour=translate("map.no_data.neighbour_label", language),
        too_few=translate("map.legend.too_few", language),
        no_value=translate("map.legend.no_value", language),
        small=translate("map.legend.small", language, marker="{marker}"),
        zero=translate("map.legend.zero", language),
        hidden=translate("map.legend.hidden", language),
        unreported=translate("map.legend.unreported", language),
        incidents=translate("map.tip.incidents", language, period="{period}"),
        previous=translate("map.tip.previous", language),
        change=translate("map.tip.change", language),
        within_chance=translate("map.tip.within_chance", language, change="{change}"),
        per_100k=translate("map.tip.per_100k", language, n="{n}"),
        smoothed=translate("map.tip.smoothed", language),
        per_100k_smoothed=translate("map.tip.per_100k_smoothed", language, n="{n}"),
        gi_z=translate("map.tip.gi_z", language),
        p_fdr=translate("map.tip.p_fdr", language),
        hot_or_cold=translate("map.tip.hot_or_cold", language, alpha="{alpha}"),
        emerging_pattern=translate("map.tip.emerging", language),
        local_moran=translate("map.tip.moran", language),
        crossing_point=translate("map.tip.crossing_point", language),
        region_names=MappingProxyType(region_names(load_regions(), language)),
    )


@functools.cache
def _layer_words(language: str) -> LayerWords:
    return LayerWords(
        incidents=layer_label("incidents", language),
        arrivals=layer_label("arrivals", language),
        heat=layer_label("heat", language),
        fewer=translate("map.legend.fewer", language),
        more=translate("map.legend.more", language),
        number=functools.partial(number, language=language),
    )
