"""Monitoring rules: the registry and the built-in rules."""
