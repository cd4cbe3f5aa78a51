"""Incident response and breach notification: cases, impact, regulation clocks, notices."""
