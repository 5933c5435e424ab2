"""Employees (ASN), the reporting line and its history, and the CSV import."""
