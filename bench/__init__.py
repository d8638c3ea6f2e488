"""Benchmarks: ``python -m bench <subcommand>``."""
