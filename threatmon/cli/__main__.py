"""`python -m threatmon.cli`: how the dashboard starts `threatmon forecast --all` in the
background (see forecasting/cache.py), without relying on the console script being installed."""

import sys

from threatmon.cli import main

sys.exit(main())
