"""The `threatmon` command line: the same code paths as the dashboard, for scripts and cron."""
