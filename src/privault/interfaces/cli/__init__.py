"""The ``privault`` command line (Typer + Rich)."""
