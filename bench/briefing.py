"""The committee's briefing: build time cold (a fresh process: imports, Chromium's start,
first queries) and warm (the same build again), with the time of each step.

Run ``python -m bench.briefing [--scale 2]``. Target (issue 19): ≤ 10 s cold on a large
store, imports apart (a dashboard has most of them loaded). Wall time is what a user
waits; CPU time (this process only, Chromium apart) is what it costs, and what to compare
on a shared machine. The forecasts come from the forecast cache when it is current
(``threatmon forecast --all``), else are fitted on the spot: the ``Forecasting`` step says
which it measured.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

_CHILD = r"""
import json, sys, time
started, cpu = time.perf_counter(), time.process_time()
from bench.common import demo_store
from reports.briefing import briefing_pdf
from reports.content import briefing_content
from threatmon.filters import Filters
out = {"import_s": time.perf_counter() - started, "import_cpu_s": time.process_time() - cpu}
store = demo_store(float(sys.argv[1]))
for run in ("cold", "warm"):
    steps, last = [], [time.perf_counter(), time.process_time()]
    def progress(fraction, message):
        now, used = time.perf_counter(), time.process_time()
        steps.append((fraction, message, now - last[0], used - last[1]))
        last[:] = [now, used]
    started, cpu = time.perf_counter(), time.process_time()
    content = briefing_content(store, Filters(), progress=progress)
    built = time.perf_counter()
    pdf = briefing_pdf(content)
    out[run] = {
        "content_s": built - started,
        "pdf_s": time.perf_counter() - built,
        "total_s": time.perf_counter() - started,
        "cpu_s": time.process_time() - cpu,
        # The time spent before each progress call belongs to the step before it.
        "steps": [
            [steps[i][1], steps[i + 1][2], steps[i + 1][3]] for i in range(len(steps) - 1)
        ],
        "pages": pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages"),
    }
print(json.dumps(out))
"""


def run(scale: float) -> dict:
    """Cold and warm build of the default briefing (all countries, 12 months) at ``scale``."""
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, str(scale)], capture_output=True, text=True, check=False
    )
    if child.returncode:
        raise RuntimeError(f"The briefing bench failed:\n{child.stderr}")
    return json.loads(child.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.briefing")
    parser.add_argument("--scale", type=float, default=2.0, help="demo store scale (default 2)")
    args = parser.parse_args()
    started = time.perf_counter()
    result = run(args.scale)
    print(f"briefing, demo store scale {args.scale:g} (all countries, default period)")
    print(f"  imports: {result['import_s']:.1f} s (CPU {result['import_cpu_s']:.1f} s)")
    for name in ("cold", "warm"):
        row = result[name]
        print(
            f"  {name}: {row['total_s']:.1f} s (content {row['content_s']:.1f} s, PDF "
            f"{row['pdf_s']:.1f} s; CPU {row['cpu_s']:.1f} s; {row['pages']} pages)"
        )
        for message, seconds, cpu in row["steps"]:
            print(f"    {message:<34} {seconds:6.1f} s (CPU {cpu:.1f} s)")
    print(f"  (measured in {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
