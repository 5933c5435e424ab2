"""The period calendar: deadlines for SKP, realisations and evaluations per period."""
