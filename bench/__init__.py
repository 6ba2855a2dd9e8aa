"""Benchmarks. `python -m bench.updates` (or `make bench`); figures and their reading in bench/README.md."""
