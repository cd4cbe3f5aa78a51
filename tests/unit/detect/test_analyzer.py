from __future__ import annotations

from pathlib import Path

import pytest

from privault.core.errors import InvalidInput, UnknownPlugin
from privault.detect import Analyzer, AnalyzerConfig

TEXT = "Dear Mr Smith, call +44 20 7946 0958 or mail john.smith@example.com. Ref ACME-1234."


def kinds(analyzer: Analyzer, text: str = TEXT) -> dict[str, str]:
    return {text[f.start : f.end]: f.type for f in analyzer.analyze(text)}


def test_entities_filter_and_unknown_type(rules):
    found = rules.analyze(TEXT, entities=["EMAIL_ADDRESS"])
    assert [f.type for f in found] == ["EMAIL_ADDRESS"]
    with pytest.raises(UnknownPlugin, match="EMAIL_ADDRESS"):
        rules.analyze(TEXT, entities=["NOT_A_TYPE"])


def test_only_english(rules):
    with pytest.raises(InvalidInput):
        rules.analyze(TEXT, language="de")


def test_allow_list_suppresses_values():
    analyzer = Analyzer(
        AnalyzerConfig(rules_only=True, allow=frozenset({"JOHN.SMITH@example.com"}))
    )
    assert "john.smith@example.com" not in kinds(analyzer)


def test_deny_list_adds_terms():
    analyzer = Analyzer(AnalyzerConfig(rules_only=True, deny={"PROJECT": ("ACME-1234",)}))
    assert kinds(analyzer)["ACME-1234"] == "PROJECT"


def test_thresholds_global_and_per_type():
    strict = Analyzer(AnalyzerConfig(rules_only=True, thresholds={"PERSON": 0.99}))
    assert "Smith" not in kinds(strict)
    assert "john.smith@example.com" in kinds(strict)
    nothing = Analyzer(AnalyzerConfig(rules_only=True, threshold=1.0, thresholds={}))
    assert "Smith" not in kinds(nothing)
    with pytest.raises(InvalidInput):
        AnalyzerConfig(threshold=1.5)


def test_yaml_custom_recognizer(tmp_path: Path):
    path = tmp_path / "rec.yaml"
    path.write_text(
        "recognizers:\n"
        "  - name: employee_id\n"
        "    entity: EMPLOYEE_ID\n"
        "    patterns:\n"
        "      - {name: emp, regex: 'EMP-\\d{6}', score: 0.3}\n"
        "    context: [employee]\n"
        "  - name: card_ref\n"
        "    entity: CARD_REF\n"
        "    patterns: [{regex: 'CR\\d{16}', score: 0.9}]\n"
        "    validator: luhn\n"
    )
    analyzer = Analyzer(AnalyzerConfig(rules_only=True, custom_recognizers=str(path)))
    text = "employee EMP-123456." + " filler" * 20 + " EMP-654321 has no context near it"
    found = kinds(analyzer, text)
    assert found.get("EMP-123456") == "EMPLOYEE_ID" and "EMP-654321" not in found
    assert kinds(analyzer, "x CR4111111111111111 y").get("CR4111111111111111") == "CARD_REF"
    assert "CR4111111111111112" not in kinds(analyzer, "x CR4111111111111112 y")


@pytest.mark.parametrize(
    "body",
    [
        "nope: 1\n",  # no recognizers list
        "recognizers:\n  - {name: x, entity: lower, patterns: [{regex: a}]}\n",  # lower-case entity
        "recognizers:\n  - {name: x, entity: X, patterns: [{regex: '('}]}\n",  # bad regex
        "recognizers:\n  - {name: x, entity: X, patterns: [{regex: a, score: 3}]}\n",  # score
        "recognizers:\n  - {name: x, entity: X, patterns: [{regex: a}], validator: nope}\n",
    ],
)
def test_yaml_errors_are_invalid_input(tmp_path: Path, body: str):
    path = tmp_path / "bad.yaml"
    path.write_text(body)
    with pytest.raises(InvalidInput):
        Analyzer(AnalyzerConfig(rules_only=True, custom_recognizers=str(path)))


def test_batch_with_processes_equals_serial(rules):
    texts = [f"Customer {i}: mail user{i}@example.com, card 4111 1111 1111 1111" for i in range(40)]
    serial = [rules.analyze(t) for t in texts]
    parallel = list(rules.analyze_batch(iter(texts), processes=2, batch_size=7))
    assert parallel == serial


def test_ner_finds_names_and_cities(ner):
    text = "Yesterday Shaurya Kar flew from Kolkata to see the team."
    found = {text[f.start : f.end]: f.type for f in ner.analyze(text)}
    assert found.get("Shaurya Kar") == "PERSON"
    assert found.get("Kolkata") == "LOCATION"


def test_ner_batch_matches_single(ner):
    texts = [
        "Ping Magdalena Wójcik at +48 22 123 45 67.",
        "Nothing here.",
        "Met Lars Olsen in Oslo.",
    ]
    assert list(ner.analyze_batch(texts)) == [ner.analyze(t) for t in texts]
