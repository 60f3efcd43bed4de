"""Benchmarks: `make bench` or `python -m bench`; ratios against same-run baselines."""
