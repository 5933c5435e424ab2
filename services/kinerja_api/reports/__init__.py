"""Evaluation reports: predikat distribution with the SE MenPANRB 3/2023 curve check, compliance, SIASN export."""
