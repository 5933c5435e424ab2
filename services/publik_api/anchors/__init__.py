"""Audit anchors: publik keeps, outside each app, a signed and hash-chained record of every app's audit head."""
