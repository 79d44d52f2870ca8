"""Benchmarks share the test fixtures' way of building real workspaces."""
