"""The services catalogue of each unit (jenis layanan), kept by the BKD admin."""
