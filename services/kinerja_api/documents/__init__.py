"""The evaluation document (dokumen evaluasi kinerja pegawai, domain.md §1.10, §11.4) as a PDF, issued once per
(nip, year, result version), stored, with a verification code anyone can check."""
