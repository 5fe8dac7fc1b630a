"""Benchmarks: scripts that print their figures beside an anchor (not tests)."""
