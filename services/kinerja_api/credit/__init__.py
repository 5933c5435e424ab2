"""Credit points (angka kredit) of functional positions from the annual predikat (PermenPANRB 1/2023, Perban BKN
3/2023; domain.md §1.10, §11.4)."""
