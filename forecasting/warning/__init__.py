"""Early warning: surges against the recent past, misses of the forecast interval, alerts."""
