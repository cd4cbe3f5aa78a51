"""CREDIT_CARD, IBAN_CODE, US_BANK_NUMBER and CRYPTO recognizers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from privault.detect._scan import word_gate
from privault.detect._types import Finding
from privault.detect.recognizer import (
    Pattern,
    PatternRecognizer,
    Recognizer,
    TextView,
    context_regex,
    context_scan,
)
from privault.detect.validators import (
    IBAN_LENGTHS,
    bitcoin_valid,
    digits_of,
    ethereum_valid,
    iban_valid,
    luhn_valid,
)

__all__ = ["IbanRecognizer", "financial_recognizers"]

_CARD = re.compile(r"\d(?<![\w.,/-]\d)[ -]?(?:\d[ -]?){11,17}\d(?![\w-]|[.,]\d)")
_CARD_PREFIXES = ("1", "2", "3", "4", "5", "6")
_CARD_CONTEXT = context_regex(
    ("card", "credit", "debit", "visa", "mastercard", "amex", "cc", "pan", "payment", "charge")
)
_CARD_NEGATIVE = context_regex(("tracking", "imei", "serial", "order", "reference", "ref"))

_IBAN = re.compile(r"[A-Z](?<![A-Za-z0-9][A-Z])[A-Z]\d{2}(?:[ -]?[A-Z0-9]){10,30}(?![a-z])")
_BANK = re.compile(r"\d(?<![\w.,/+-]\d)\d{7,16}(?![\w-]|[.,]\d)")
_BANK_WORDS = (
    "account", "acct", "a/c", "account number", "account no", "bank", "checking", "savings",
    "routing", "direct debit", "konto",
)  # fmt: skip
_BANK_CONTEXT = context_regex(_BANK_WORDS)
_BANK_NEGATIVE = context_regex(
    ("phone", "mobile", "tel", "call", "fax", "order", "invoice", "ticket", "tracking",
     "passport", "license", "licence", "nhs", "ssn", "card", "id")
)  # fmt: skip
#: Each branch starts with a literal and checks the left boundary after it, so ``re``
#: scans for the four leading characters instead of trying every position.
_B58 = "[1-9A-HJ-NP-Za-km-z]{25,34}"
_BTC = re.compile(
    rf"(?:1(?<!\w1){_B58}|3(?<!\w3){_B58}"
    r"|b(?<!\wb)c1[0-9A-Za-z]{11,71}|B(?<!\wB)C1[0-9A-Za-z]{11,71})(?!\w)"
)
_ETH = re.compile(r"(?<![\w])0x[0-9a-fA-F]{40}(?!\w)")
_CRYPTO_CONTEXT = context_regex(("btc", "bitcoin", "wallet", "eth", "ethereum", "crypto", "send"))


def _card_valid(value: str) -> bool:
    digits = digits_of(value)
    if not 13 <= len(digits) <= 19 or not digits.startswith(_CARD_PREFIXES):
        return False
    seps = {c for c in value if not c.isdigit()}
    return len(seps) <= 1 and luhn_valid(digits)


@dataclass(frozen=True, slots=True)
class IbanRecognizer:
    """IBANs, grouped or not: the candidate is cut to its country length, then mod-97 checked."""

    name: str = "iban"
    score: float = 1.0

    @property
    def entities(self) -> frozenset[str]:
        """IBAN_CODE only."""
        return frozenset(("IBAN_CODE",))

    def analyze(self, view: TextView) -> list[Finding]:
        """Return every checksum-valid IBAN."""
        out: list[Finding] = []
        for m in _IBAN.finditer(view.text):
            end = _iban_end(m.group())
            if end is not None:
                out.append(Finding("IBAN_CODE", m.start(), m.start() + end, self.score, self.name))
        return out


def _iban_end(candidate: str) -> int | None:
    length = IBAN_LENGTHS.get(candidate[:2])
    if length is None:
        return None
    seen = 0
    for i, ch in enumerate(candidate):
        if ch.isalnum():
            seen += 1
            if seen == length:
                value = candidate[: i + 1]
                return i + 1 if iban_valid(value) else None
    return None


def financial_recognizers() -> list[Recognizer]:
    """Return the card, IBAN, bank-account and crypto-wallet recognizers."""
    return [
        PatternRecognizer(
            "credit_card",
            "CREDIT_CARD",
            (Pattern("card", _CARD, 0.8),),
            validator=_card_valid,
            context=_CARD_CONTEXT,
            negative_context=_CARD_NEGATIVE,
            min_digits=13,
        ),
        IbanRecognizer(),
        PatternRecognizer(
            "us_bank_number",
            "US_BANK_NUMBER",
            (Pattern("digits", _BANK, 0.1),),
            context=_BANK_CONTEXT,
            negative_context=_BANK_NEGATIVE,
            requires_context=True,
            context_gate=word_gate(_BANK_WORDS),
            context_scan=context_scan(_BANK_WORDS),
            min_digits=8,
        ),
        PatternRecognizer(
            "bitcoin",
            "CRYPTO",
            (Pattern("btc", _BTC, 0.9),),
            validator=bitcoin_valid,
            context=_CRYPTO_CONTEXT,
        ),
        PatternRecognizer(
            "ethereum",
            "CRYPTO",
            (Pattern("eth", _ETH, 0.8),),
            validator=ethereum_valid,
            context=_CRYPTO_CONTEXT,
            hints=("0x", "0X"),
        ),
    ]
