"""Citizens' comments from the SKM and the units' follow-up (tindak lanjut)."""
