"""The domain's named thresholds: each rule's number stated once.

A threshold that several modules apply (as a default argument, in a sentence that
quotes it, on the page that passes it on) lives here, so that changing the rule
changes it everywhere at once and no copy is left behind with the old number.
"""

#: A change is only classified, a crime type only listed among the top movers and a
#: map's change only shown when the two periods together hold at least this many
#: incidents: 1 -> 3 is +200 % and means nothing.
LOW_COUNT_THRESHOLD = 10
#: Significance level of the change levels' binomial test (the overview, the briefing
#: and the map's change tooltip).
CHANGE_ALPHA = 0.05

#: Early warning: the fewest incidents in the month (a surge or a count above the
#: interval) or expected (a count below it) before a series is listed.
WARNING_MIN_COUNT = 5
#: Early warning: months before the latest one that form a surge's expected level.
WARNING_BASELINE_MONTHS = 12
#: Early warning: the family-wise significance level of the surge test.
SURGE_ALPHA = 0.01
#: Early warning: the false discovery rate of the counts outside their forecast interval.
WARNING_FDR = 0.05

#: Forecasts: the page warns when the 80 % range held fewer than this share of the
#: forecasts of past months (tested with the ranges calibrated on the other origins):
#: a range that held 62 % of the time is not an 80 % range, whatever its label.
FORECAST_MIN_COVERAGE_80 = 0.70

#: Significance level of the hot-spot tests (Gi*, local Moran, emerging hot spots).
HOTSPOT_ALPHA = 0.05

#: Flows: a series (receiving country × crossing point, or the country total) that has at
#: least this many dates and never decreases while it grows is flagged as probably
#: cumulative. Daily arrivals fluctuate; a week and a day without a single fall does not.
CUMULATIVE_MIN_PERIODS = 8

#: Placing events by their coordinates: a point outside every region but within this many
#: km of one goes to the nearest (the boundaries are simplified to about 1 km and other
#: outlines of the same borders and coasts differ by up to about 3 km).
PLACEMENT_SNAP_KM = 5
#: A row whose coordinates lie more than this many km outside its stated region is refused
#: as contradicting itself (an event near a border may well be reported by its
#: neighbour's administration).
PLACEMENT_MISMATCH_KM = 25
