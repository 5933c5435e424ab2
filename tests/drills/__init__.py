"""Fault drills: the apps as real processes on loopback, a fault injected during load, and a check that no
acknowledged write was lost."""
