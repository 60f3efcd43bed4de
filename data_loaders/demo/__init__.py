"""Synthetic, seeded demo data: migration flows, incidents and the signals planted in them.

Public API: DemoSettings, build_demo_store, generate_flows, generate_incidents, planted_signals,
reported_batches (what each source sends of the incidents: :mod:`data_loaders.demo.reporting`)."""

from data_loaders.demo.flows import generate_flows
from data_loaders.demo.incidents import generate_incidents
from data_loaders.demo.reporting import DemoBatch, reported_batches
from data_loaders.demo.settings import DEMO_END, DEMO_START, DemoSettings
from data_loaders.demo.signals import SIGNAL_COLUMNS, planted_signals
from data_loaders.demo.store import build_demo_store, signals_json

__all__ = [
    "DEMO_END",
    "DEMO_START",
    "DemoBatch",
    "SIGNAL_COLUMNS",
    "DemoSettings",
    "build_demo_store",
    "generate_flows",
    "generate_incidents",
    "planted_signals",
    "reported_batches",
    "signals_json",
]
