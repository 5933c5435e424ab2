"""Periodic and annual evaluations by the direct supervisor (PermenPANRB 6/2022), objections (keberatan)."""
