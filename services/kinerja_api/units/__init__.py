"""Org units: the OPD of the province and their sub-units (bidang, bagian), forming a tree."""
