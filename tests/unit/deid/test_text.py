"""Text anonymization and deanonymization."""

from __future__ import annotations

import pytest

from privault.core.errors import InvalidInput
from privault.core.secret import Secret
from privault.deid import anonymize, deanonymize, load_policy
from privault.detect import Finding, analyze

KEY = Secret(b"t" * 32)
POLICY = load_policy(
    """
default: replace
entities:
  EMAIL_ADDRESS: {operator: encrypt}
  CREDIT_CARD: fpe
  PERSON: fake
  US_SSN: {operator: mask, keep_last: 4}
"""
)
TEXT = "Jane Doe (jane@corp.io) paid with 4111 1111 1111 1111, SSN 123-45-6789."


def _findings() -> list[Finding]:
    spans = [
        ("PERSON", "Jane Doe"),
        ("EMAIL_ADDRESS", "jane@corp.io"),
        ("CREDIT_CARD", "4111 1111 1111 1111"),
        ("US_SSN", "123-45-6789"),
    ]
    return [Finding(t, TEXT.index(v), TEXT.index(v) + len(v), 0.9, "test") for t, v in spans]


def test_anonymize_replaces_every_span_and_reports_offsets() -> None:
    result = anonymize(TEXT, _findings(), POLICY, key=KEY)
    for value in ("Jane Doe", "jane@corp.io", "4111 1111 1111 1111", "123-45-6789"):
        assert value not in result.text
    assert [i.operator for i in result.items] == ["fake", "encrypt", "fpe", "mask"]
    for item in result.items:
        assert result.text[item.start : item.end] == item.text
    assert "*******6789" in result.text


def test_deanonymize_restores_reversible_spans_only() -> None:
    result = anonymize(TEXT, _findings(), POLICY, key=KEY)
    restored = deanonymize(result, POLICY, key=KEY)
    assert "jane@corp.io" in restored and "4111 1111 1111 1111" in restored
    assert "Jane Doe" not in restored and "123-45-6789" not in restored  # one-way spans stay


def test_same_value_same_pseudonym_across_texts() -> None:
    a = anonymize(TEXT, _findings(), POLICY, key=KEY)
    b = anonymize(TEXT, _findings(), POLICY, key=KEY)
    assert a.items[0].text == b.items[0].text  # fake is consistent under one key


def test_overlaps_resolved_and_default_used() -> None:
    text = "call 555-0100 now"
    found = [Finding("PHONE_NUMBER", 5, 13, 0.9, "a"), Finding("US_SSN", 5, 9, 0.4, "b")]
    assert anonymize(text, found, POLICY).text == "call <PHONE_NUMBER> now"


def test_keyed_policy_without_key_refuses() -> None:
    with pytest.raises(InvalidInput, match="needs a key"):
        anonymize(TEXT, _findings(), POLICY)


def test_finding_outside_text_is_rejected() -> None:
    with pytest.raises(InvalidInput):
        anonymize("short", [Finding("PERSON", 2, 50, 1.0, "x")], POLICY)


def test_with_detection() -> None:
    text = "Contact jane.roe@example.com or card 4111111111111111"
    result = anonymize(text, analyze(text, rules_only=True), load_policy("default: redact"))
    assert "jane.roe@example.com" not in result.text and "4111111111111111" not in result.text
