"""The shared core: errors, settings, the data contract, periods, registries, the store, access
and disclosure control, and the `threatmon` command line (``threatmon.cli``)."""
