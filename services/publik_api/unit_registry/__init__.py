"""The units publik knows (learned from kinerja's events or looked up on first use) and their history of
published figures: what surveys, the catalogue, ingest, comments and innovations need of a unit, below the
units package (the unit pages: scorecard, trends, charts), which reads the surveys."""
