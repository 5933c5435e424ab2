"""The province's SKM periods (semester or year), kept by the BKD admin."""
