"""Contract tests: behaviour every app must share (token verification) and the calls between apps."""
