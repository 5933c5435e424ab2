"""pelatihan_api: Partner institutions, programmes, sessions, enrolment with waitlists, attendance, completion, certificates and the 20 JP ledger."""
