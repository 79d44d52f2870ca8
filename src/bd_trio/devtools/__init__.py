"""Tools for tests and benchmarks (not used by bd itself)."""
