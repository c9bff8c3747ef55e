"""Benchmarks. Each prints its figures next to a simple baseline measured in the same run."""
