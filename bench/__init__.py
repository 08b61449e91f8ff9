"""Benchmarks (`python -m bench.<name>`) and the random-weight models they share with the tests."""
