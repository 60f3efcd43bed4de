"""Forecasts of count series: models, backtests, the choice of model, reconciliation, the cache
of all series, flow linkage and early warning. API: forecast.forecast_series, cache, warning."""
