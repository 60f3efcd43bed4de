"""`threatmon demo`, `migrate` and `info`: build, create or describe a store."""

from __future__ import annotations

import time

from threatmon.cli.common import EXIT_OK, Command, add_db, default_user, print_json
from threatmon.errors import ThreatmonError


def _add_demo(commands) -> None:
    demo = commands.add_parser("demo", help="build the synthetic demo store (labelled DEMO)")
    add_db(demo)
    demo.add_argument("--seed", type=int, default=None, help="random seed (default 20260224)")
    demo.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="row multiplier: 1 ≈ 500k incident rows, 20 ≈ 10M (default 1)",
    )
    demo.add_argument(
        "--force", action="store_true", help="replace a store that does not hold demo data"
    )
    demo.add_argument("--json", action="store_true", help="print the summary as JSON")


def _add_migrate(commands) -> None:
    migrate = commands.add_parser("migrate", help="create the store or bring its schema up to date")
    add_db(migrate)


def _add_info(commands) -> None:
    info = commands.add_parser("info", help="what the store holds: period, rows, schema, demo")
    add_db(info)
    info.add_argument("--json", action="store_true", help="print as JSON")


def _cmd_demo(args) -> int:
    from data_loaders.demo import DemoSettings, build_demo_store
    from threatmon.errors import StoreError
    from threatmon.store import Store, StoreLocation

    path = StoreLocation.resolve(args.db)
    if Store(path).exists() and not args.force:
        try:
            is_demo = Store(path).is_demo()
        except ThreatmonError:
            is_demo = False
        if not is_demo:
            raise StoreError(
                f"{path.display} exists and does not hold demo data; refusing to replace "
                "it. Use another --db, or --force to replace it."
            )
    if args.seed is None:
        settings = DemoSettings(scale=args.scale)
    else:
        settings = DemoSettings(seed=args.seed, scale=args.scale)
    started = time.perf_counter()
    summary = build_demo_store(path, settings)
    summary = {
        "db": path.display,
        **summary,
        "seconds": round(time.perf_counter() - started, 1),
    }
    if args.json:
        print_json(summary)
    else:
        print(
            f"Demo store written to {path.display} (synthetic data, seed {settings.seed}, "
            f"scale {settings.scale:g})."
        )
        for key, value in summary.items():
            if key != "db":
                print(f"  {key}: {value}")
    return EXIT_OK


def _cmd_migrate(args) -> int:
    from threatmon.store import StoreLocation, write_session
    from threatmon.store.migrations import SCHEMA_VERSION

    path = StoreLocation.resolve(args.db)
    with write_session(path, user=default_user()):
        pass
    print(f"{path.display} is at schema version {SCHEMA_VERSION}.")
    return EXIT_OK


def _cmd_info(args) -> int:
    from threatmon.store.reader import Store

    store = Store(args.db)
    coverage = store.coverage()
    meta = store.meta()
    payload = {
        "db": store.label,
        **coverage,
        "flows": store.flow_coverage(),
        "demo": meta.get("demo") == "true",
        "meta": {k: v for k, v in meta.items() if k != "demo_signals"},
    }
    if args.json:
        print_json(payload)
    else:
        for key, value in payload.items():
            print(f"{key}: {value}")
    return EXIT_OK


COMMANDS = {
    "demo": Command(_add_demo, _cmd_demo),
    "migrate": Command(_add_migrate, _cmd_migrate),
    "info": Command(_add_info, _cmd_info),
}
