"""Built-in recognizers, one module per family; :func:`builtin_recognizers` lists them."""

from __future__ import annotations

from privault.detect.recognizer import Recognizer
from privault.detect.recognizers.dates import date_recognizers
from privault.detect.recognizers.financial import financial_recognizers
from privault.detect.recognizers.government import government_recognizers
from privault.detect.recognizers.location import location_recognizers
from privault.detect.recognizers.network import network_recognizers
from privault.detect.recognizers.person import person_recognizers
from privault.detect.recognizers.phone import phone_recognizers
from privault.detect.recognizers.secrets import secret_recognizers

__all__ = ["builtin_recognizers"]


def builtin_recognizers() -> list[Recognizer]:
    """Return fresh instances of every built-in (rule-based) recognizer."""
    return [
        *network_recognizers(),
        *financial_recognizers(),
        *government_recognizers(),
        *phone_recognizers(),
        *secret_recognizers(),
        *date_recognizers(),
        *location_recognizers(),
        *person_recognizers(),
    ]
