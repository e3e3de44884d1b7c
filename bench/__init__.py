"""Benchmarks for SayPro Interaction Desk, run as ``python -m bench`` (see bench/README.md).

A benchmark is a function in a ``bench/bench_*.py`` module decorated with ``@benchmark("name")``;
the runner discovers every such module, so a later issue adds a benchmark by dropping a file here.
"""
