"""kinerja_api: Org units, employees and the reporting line, SKP plans, realisation reports, periodic and annual evaluations (PermenPANRB 6/2022), predikat and evaluation reports."""
