"""Benchmarks: API calls and time against the rate-limit bound, planner cost, ack latency."""
