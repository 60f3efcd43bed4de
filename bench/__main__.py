"""Run every benchmark and print a table: `make bench` or `python -m bench [--scales 2,20]`.

Demo stores are built once per scale and cached under bench/results/ (git-ignored).
Scale 2 is about 1M incident rows, scale 20 about 10M.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

from bench import access, accuracy, aggregate, forecasts, ingest, maps, overview, write
from bench.common import CACHE_DIR, demo_store


def main() -> None:
    """Parse arguments, run the benchmarks, print and save the results."""
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--scales", default="2,20", help="demo scales to measure (default 2,20)")
    parser.add_argument("--repeat", type=int, default=7, help="runs per measurement (median)")
    parser.add_argument("--skip-ingest", action="store_true", help="skip the CSV ingest bench")
    parser.add_argument(
        "--skip-forecasts",
        dest="forecasts",
        action="store_false",
        help="skip the forecast bench (about 3 min: it refreshes every demo series)",
    )
    parser.add_argument(
        "--realdata",
        type=Path,
        default=Path("/work/shared/realdata"),
        help="folder of the real public datasets the forecast accuracy is measured on "
        "(read in place, never copied; the section is skipped without it)",
    )
    parser.add_argument(
        "--skip-accuracy",
        dest="accuracy",
        action="store_false",
        help="skip the forecast accuracy on real series (about 30 s)",
    )
    args = parser.parse_args()
    results = {"machine": platform.platform(), "python": platform.python_version(), "runs": []}
    for scale in (float(s) for s in args.scales.split(",")):
        store = demo_store(scale)
        coverage = store.coverage()
        print(
            f"\n== scale {scale:g}: {coverage['records']:,} incident rows, "
            f"{coverage['incidents']:,} incidents =="
        )
        rows = aggregate.run(store, args.repeat)
        print(f"{'query':<45} {'aggregate()':>12} {'raw DuckDB':>11} {'ratio':>6}")
        for row in rows:
            print(
                f"{row['case']:<45} {row['aggregate_ms']:>10.1f}ms "
                f"{row['raw_duckdb_ms']:>9.1f}ms {row['ratio']:>6.2f}"
            )
        page = overview.run(store, max(3, args.repeat // 2))
        print(
            f"overview page server-side render: cold {page['cold_s']:.3f} s, "
            f"warm {page['warm_s']:.3f} s (targets at 10M rows: ≤ 1.5 s, ≤ 0.5 s); "
            f"first render in a new process, imports included: {page['new_process_s']:.2f} s"
        )
        mapped = maps.run(store, max(3, args.repeat // 2))
        print(
            f"map page server-side render: cold {mapped['map_cold_s']:.2f} s, warm "
            f"{mapped['map_warm_s']:.2f} s (overview in the same run: cold "
            f"{mapped['overview_cold_s']:.2f} s, warm {mapped['overview_warm_s']:.2f} s; ratios "
            f"{mapped['map_ratio_cold']:.1f}, {mapped['map_ratio_warm']:.1f}); payload for "
            f"{mapped['regions']} regions {mapped['payload_mb']:.2f} MB, with the heat layer "
            f"{mapped['payload_heat_mb']:.2f} MB (target ≤ 1.5 MB)"
        )
        print(
            f"Gi* on {mapped['regions']} regions: 999 permutations {mapped['gi_999_s']:.3f} s "
            f"(target ≤ 1 s; {mapped['gi_999_ratio']:.0f}× the analytical "
            f"{mapped['gi_analytic_s'] * 1000:.1f} ms), 9,999 permutations "
            f"{mapped['gi_9999_s']:.3f} s; emerging hot spots {mapped['regions']} regions × "
            f"{mapped['months']} months {mapped['emerging_s']:.3f} s (target ≤ 10 s; "
            f"{mapped['emerging_ratio']:.1f}× fetching the panel, {mapped['panel_fetch_s']:.3f} s)"
        )
        privacy = access.run(store, args.repeat)
        for line in access.report(privacy):
            print(line)
        load = write.run(store)
        print(
            f"1 000-row load into this store: {load['load_s']:.2f} s; plain copy of the "
            f"{load['file_mb']:.0f} MB file: {load['copy_s']:.2f} s (ratio {load['ratio']:.1f})"
        )
        if not args.skip_ingest:
            # At most 3 runs each: at 10M rows one ingest takes half a minute.
            loaded = ingest.run(store, min(args.repeat, 3))
            print(ingest.report(loaded))
        else:
            loaded = None
        results["runs"].append(
            {
                "scale": scale,
                "records": coverage["records"],
                "aggregate": rows,
                "overview": page,
                "maps": mapped,
                "access": privacy,
                "load": load,
                "ingest": loaded,
            }
        )
    if args.forecasts:
        # Once, on the demo store as `make run` builds it (scale 1): the target is about
        # the demo series, whatever the number of incident rows behind them.
        print("\n== forecasts on the scale-1 demo store ==")
        results["forecasts"] = forecasts.run(demo_store(1.0), max(3, args.repeat // 2))
        for line in forecasts.report(results["forecasts"]):
            print(line)
    if args.accuracy:
        print("\n== forecast accuracy on real monthly series, held out ==")
        results["accuracy"] = accuracy.run(args.realdata, max(3, args.repeat // 2))
        for line in accuracy.report(results["accuracy"], args.realdata):
            print(line)
    out = CACHE_DIR / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"\nsaved {out}")


if __name__ == "__main__":
    main()
