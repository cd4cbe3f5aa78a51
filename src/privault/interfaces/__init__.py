"""Interfaces: thin adapters (CLI now; REST API and web later) over the services."""
