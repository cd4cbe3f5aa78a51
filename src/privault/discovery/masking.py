"""Masked examples: enough shape to recognise a column, never a usable value.

The data map keeps at most three examples per column, each masked here before
it leaves the profiler; a raw value is never stored, logged or printed.
"""

from __future__ import annotations

__all__ = ["mask_example"]

_MAX = 16


def mask_example(value: str, pii_type: str | None) -> str:
    """Return a short masked form of ``value``.

    >>> mask_example("jane.doe@example.com", "EMAIL_ADDRESS")
    'j***@***.com'
    >>> mask_example("4111 1111 1111 1111", "CREDIT_CARD")
    '***11'
    >>> mask_example("Jane Doe", "PERSON")
    'J*** D***'
    """
    value = value.strip()
    if not value:
        return ""
    if pii_type == "EMAIL_ADDRESS" and "@" in value:
        tld = value.rsplit(".", 1)[-1] if "." in value.rsplit("@", 1)[-1] else ""
        return f"{value[0]}***@***.{tld[:6]}"[:_MAX]
    if pii_type in ("PERSON", "LOCATION") and not any(c.isdigit() for c in value):
        return " ".join(f"{w[0]}***" for w in value.split()[:2])[:_MAX]
    alnum = [c for c in value if c.isalnum()]
    if len(alnum) >= 8 and sum(c.isdigit() for c in alnum) * 2 >= len(alnum):
        return "***" + "".join(alnum[-2:])
    return f"{value[0]}***"
