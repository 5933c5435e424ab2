"""Tests of the gateway's forwarding layer (real processes on loopback)."""
