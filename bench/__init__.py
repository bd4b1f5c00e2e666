"""Benchmarks: each is ``python -m bench.<name>`` and prints its figures."""
