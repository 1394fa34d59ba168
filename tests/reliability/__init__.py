"""Reliability and security suite (issue 10): faults, crashes, hostile input, load."""
