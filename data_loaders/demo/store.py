"""The demo written to a store in one write session, marked as demo data, with what was
planted stored alongside.

The incidents arrive as the batches of :func:`data_loaders.demo.reporting.reported_batches`
(daily rows with declared coverage, Hungary's monthly tables, Georgia's quarterly national
figures, one revised month), so the store's coverage has the gaps real reporting has.
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import date

import pandas as pd

from data_loaders.demo.flows import generate_flows
from data_loaders.demo.incidents import generate_incidents
from data_loaders.demo.reporting import active_totals, reported_batches
from data_loaders.demo.settings import DemoSettings
from data_loaders.demo.signals import planted_signals
from threatmon.store.location import StoreLocation
from threatmon.store.writer import write_session

# Part of each batch's sha256, so a store built by a changed generator is a new "file".
# 2: the crossing-point registry grew from 57 to 91 points, which changes every seed's data.
# 3: incidents arrive in four batches with realistic coverage (data_loaders.demo.reporting).
GENERATOR_VERSION = 4


def _demo_sha256(settings: DemoSettings, kind: str) -> str:
    scale = float(settings.scale)
    text = f"threatmon-demo:v{GENERATOR_VERSION}:{kind}:seed={settings.seed}:scale={scale!r}"
    return hashlib.sha256(text.encode()).hexdigest()


def signals_json(signals: pd.DataFrame) -> str:
    """The planted signals as the JSON list stored under the meta key ``demo_signals``."""
    records = signals.assign(start=signals["start"].map(date.isoformat)).to_dict("records")
    return json.dumps(records, ensure_ascii=False)


def build_demo_store(path, settings: DemoSettings, *, user: str = "demo") -> dict:
    """Generate the demo and replace the store at ``path`` with it, in one write session.

    Parameters
    ----------
    path : path-like or None
        The store, resolved like :meth:`threatmon.store.location.StoreLocation.resolve`. Whatever is
        there is replaced atomically (readers see the old store until the end).
    settings : DemoSettings
        Seed and scale.
    user : str
        Recorded in the batches and the audit log.

    Returns
    -------
    dict
        ``path``, ``rows`` (active incident rows: the revised month's first figures are
        superseded), ``incidents`` (their sum of ``count``), ``flow_rows``, ``signals``,
        ``batches`` (flows and incidents), ``generate_seconds``, ``write_seconds`` and
        ``seconds`` (the total).
    """
    started = time.perf_counter()
    flows = generate_flows(settings)
    batches = reported_batches(settings, generate_incidents(settings, flows))
    signals = planted_signals(settings)
    generated = time.perf_counter()
    rows, incidents = active_totals(batches)
    summary = {
        "path": StoreLocation.resolve(path).display,
        "rows": rows,
        "incidents": incidents,
        "flow_rows": len(flows),
        "signals": len(signals),
        "batches": len(batches) + 1,
    }
    with write_session(path, user=user, fresh=True) as writer:
        writer.add_flows(
            flows, file_name="demo-flows (synthetic)", sha256=_demo_sha256(settings, "flows")
        )
        for batch in batches:
            writer.add_incidents(
                batch.frame,
                file_name=batch.file_name,
                sha256=_demo_sha256(settings, batch.kind),
                replace=batch.replace,
                covers=batch.covers,
            )
        writer.set_meta("demo", "true")
        writer.set_meta("demo_seed", str(settings.seed))
        writer.set_meta("demo_scale", repr(float(settings.scale)))
        writer.set_meta("demo_signals", signals_json(signals))
        writer.audit(
            "demo",
            None,
            {
                "seed": settings.seed,
                "scale": settings.scale,
                "generator_version": GENERATOR_VERSION,
                **summary,
            },
        )
    finished = time.perf_counter()
    summary["generate_seconds"] = round(generated - started, 3)
    summary["write_seconds"] = round(finished - generated, 3)
    summary["seconds"] = round(finished - started, 3)
    return summary
