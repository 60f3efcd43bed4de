"""Early warning: surges against the recent past, misses of the forecast interval, and the
alerts that combine them. API: alerts.early_warning, surges.surges, exceedance.outside_interval."""
