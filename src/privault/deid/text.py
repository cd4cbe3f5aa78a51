"""Text: replace detected spans by their operators' output, and reverse it.

``anonymize(text, findings, policy)`` applies, per finding, the policy's
operator for its entity type (else the default). Overlapping findings are
resolved first (higher score, then longer span wins). The result lists each
replacement's new offsets, so :func:`deanonymize` can restore the spans made
by reversible operators (``encrypt``, ``fpe``) under the same key.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from privault.core.errors import InvalidInput
from privault.core.secret import Secret
from privault.deid.keys import DeidKeys
from privault.deid.operators import Binding, Operator, build_operator
from privault.deid.policy import Policy
from privault.detect import Finding

__all__ = ["AnonymizedItem", "AnonymizedText", "TextAnonymizer", "anonymize", "deanonymize"]


@dataclass(frozen=True, slots=True)
class AnonymizedItem:
    """One replaced span, in the offsets of the anonymized text.

    Attributes:
        start: first character of the replacement.
        end: one past its last character.
        entity_type: the PII type of the original span.
        operator: the operator that made the replacement.
        text: the replacement itself.

    """

    start: int
    end: int
    entity_type: str
    operator: str
    text: str


@dataclass(frozen=True, slots=True)
class AnonymizedText:
    """The anonymized text and what was replaced where."""

    text: str
    items: tuple[AnonymizedItem, ...]


def _non_overlapping(findings: Iterable[Finding], length: int) -> list[Finding]:
    ranked = sorted(findings, key=lambda f: (-f.score, -(f.end - f.start), f.start))
    taken: list[Finding] = []
    for f in ranked:
        if not 0 <= f.start < f.end <= length:
            raise InvalidInput("a finding lies outside the text", start=f.start, end=f.end)
        if all(f.end <= t.start or f.start >= t.end for t in taken):
            taken.append(f)
    return sorted(taken, key=lambda f: f.start)


class TextAnonymizer:
    """A policy bound to a key, reusable over many texts (operators built once).

    Args:
        policy: the validated policy.
        keys: the project's keys, or None (keyed operators then refuse).

    """

    def __init__(self, policy: Policy, keys: DeidKeys | None = None) -> None:
        self._policy = policy
        self._keys = keys
        self._ops: dict[str, Operator[Any]] = {}

    def operator(self, entity: str) -> Operator[Any]:
        """The bound operator for ``entity`` (built on first use).

        Raises:
            InvalidInput: the operator needs a key and none was given.

        """
        op = self._ops.get(entity)
        if op is None:
            rule = self._policy.rule_for(entity)
            binding = Binding(entity, self._keys, self._policy.locale)
            op = self._ops[entity] = build_operator(rule.operator, rule.params, binding)
        return op

    def check(self, entities: Iterable[str]) -> None:
        """Bind the operators of ``entities`` now, so key errors come before any data."""
        for entity in entities:
            self.operator(entity)

    def anonymize(
        self, text: str, findings: Sequence[Finding], subject: str | None = None
    ) -> AnonymizedText:
        """Replace every finding of ``text``; see :func:`anonymize`."""
        parts: list[str] = []
        items: list[AnonymizedItem] = []
        cursor = out_len = 0
        for f in _non_overlapping(findings, len(text)):
            op = self.operator(f.type)
            new = op.apply(text[f.start : f.end], subject)
            head = text[cursor : f.start]
            parts += (head, new)
            out_len += len(head)
            items.append(AnonymizedItem(out_len, out_len + len(new), f.type, op.name, new))
            out_len += len(new)
            cursor = f.end
        parts.append(text[cursor:])
        return AnonymizedText("".join(parts), tuple(items))

    def deanonymize(self, anonymized: AnonymizedText) -> str:
        """Restore the spans made by reversible operators; see :func:`deanonymize`."""
        parts: list[str] = []
        cursor = 0
        text = anonymized.text
        for item in sorted(anonymized.items, key=lambda i: i.start):
            op = self.operator(item.entity_type)
            if op.name != item.operator:
                raise InvalidInput(
                    f"item made by {item.operator!r} but the policy now says {op.name!r}"
                )
            if not op.reverses:
                continue
            parts += (text[cursor : item.start], op.reverse(text[item.start : item.end]))
            cursor = item.end
        parts.append(text[cursor:])
        return "".join(parts)


def _keys(key: Secret[bytes] | DeidKeys | None) -> DeidKeys | None:
    if key is None or isinstance(key, DeidKeys):
        return key
    return DeidKeys(key)


def anonymize(
    text: str,
    findings: Sequence[Finding],
    policy: Policy,
    *,
    key: Secret[bytes] | DeidKeys | None = None,
    subject: str | None = None,
) -> AnonymizedText:
    """Replace each finding in ``text`` with its policy operator's output.

    Args:
        text: the original text.
        findings: spans to replace (e.g. from :func:`privault.detect.analyze`).
        policy: operator per entity type, with a default.
        key: the project key; keyed operators (hash, encrypt, fpe, fake,
            date_shift) refuse to run without it.
        subject: the data subject of the text (per-subject date shifts).

    Returns:
        The new text and, per replacement, its offsets, type and operator.

    Raises:
        InvalidInput: a finding outside the text, or a keyed operator without a key.

    """
    return TextAnonymizer(policy, _keys(key)).anonymize(text, findings, subject)


def deanonymize(
    anonymized: AnonymizedText, policy: Policy, *, key: Secret[bytes] | DeidKeys
) -> str:
    """Restore the spans of ``anonymized`` made by reversible operators.

    Spans made by one-way operators (hash, fake, mask, ...) stay as they are.

    Raises:
        InvalidCiphertext: a span does not decrypt under this key.
        InvalidInput: the policy no longer names the operator of a span.

    """
    return TextAnonymizer(policy, _keys(key)).deanonymize(anonymized)
