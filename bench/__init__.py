"""Benchmarks at scale: python -m bench (see docs/benchmarks.md)."""
