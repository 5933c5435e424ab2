"""The province overview: every unit's latest published figures in one read."""
