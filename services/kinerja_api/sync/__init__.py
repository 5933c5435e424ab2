"""Incremental sync for integrators: the change log of employees, SKPs and evaluations."""
