"""Follow-up of the annual result (tindak lanjut, PermenPANRB 6/2022 stage 4; domain.md §11.4): flags for the
BKD on who is a reward candidate, who needs a development plan, and each PPPK's predikat per contract year."""
