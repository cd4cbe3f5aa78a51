r"""Custom recognizers from YAML, and the deny-list recognizer.

YAML format::

    recognizers:
      - name: employee_id          # unique
        entity: EMPLOYEE_ID        # new types are allowed
        patterns:
          - {name: emp, regex: "EMP-\\d{6}", score: 0.4}
        context: [employee, staff]  # optional; lifts the score when near
        validator: luhn             # optional; a name from VALIDATORS
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from privault.core.errors import InvalidInput
from privault.detect._types import Finding
from privault.detect.recognizer import Pattern, PatternRecognizer, TextView, context_regex
from privault.detect.validators import VALIDATORS

__all__ = ["DenyListRecognizer", "load_recognizers", "parse_recognizers"]


@dataclass(frozen=True, slots=True)
class DenyListRecognizer:
    """Always reports the listed terms (whole words, case-insensitive) as their type.

    Attributes:
        regexes: one compiled alternation per entity type.
    """

    regexes: tuple[tuple[str, re.Pattern[str]], ...]
    name: str = "deny_list"

    @classmethod
    def build(cls, deny: Mapping[str, Iterable[str]]) -> DenyListRecognizer:
        """Compile ``{entity: [terms]}`` into a recognizer."""
        compiled = []
        for entity, terms in sorted(deny.items()):
            alts = sorted({t for t in terms if t}, key=len, reverse=True)
            if alts:
                body = "|".join(re.escape(t) for t in alts)
                compiled.append((entity, re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)))
        return cls(tuple(compiled))

    @property
    def entities(self) -> frozenset[str]:
        """The types named in the deny list."""
        return frozenset(e for e, _ in self.regexes)

    def analyze(self, view: TextView) -> list[Finding]:
        """Return every occurrence of a denied term, with score 1.0."""
        return [
            Finding(entity, m.start(), m.end(), 1.0, self.name)
            for entity, regex in self.regexes
            for m in regex.finditer(view.text)
        ]


def load_recognizers(path: str | Path) -> list[PatternRecognizer]:
    """Load custom recognizers from a YAML file.

    Raises:
        InvalidInput: the file is unreadable, not YAML, or breaks the format.
    """
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InvalidInput(f"cannot read recognizers file {str(path)!r}", path=str(path)) from exc
    return parse_recognizers(data)


def parse_recognizers(data: Any) -> list[PatternRecognizer]:
    """Build recognizers from already-parsed YAML data (see the module docstring).

    Raises:
        InvalidInput: the structure, a regex, a score or a validator name is invalid.
    """
    if not isinstance(data, Mapping) or not isinstance(data.get("recognizers"), list):
        raise InvalidInput("recognizers file needs a top-level 'recognizers' list")
    return [_one(i, item) for i, item in enumerate(data["recognizers"])]


def _one(index: int, item: Any) -> PatternRecognizer:
    if not isinstance(item, Mapping):
        raise InvalidInput(f"recognizer #{index} is not a mapping", index=index)
    name, entity = item.get("name"), item.get("entity")
    if not isinstance(name, str) or not isinstance(entity, str) or not entity.isupper():
        raise InvalidInput(
            f"recognizer #{index} needs 'name' and an upper-case 'entity'", index=index
        )
    patterns = tuple(_pattern(name, p) for p in _list(item, "patterns", name))
    if not patterns:
        raise InvalidInput(f"recognizer {name!r} has no patterns", recognizer=name)
    validator_name = item.get("validator")
    validator = VALIDATORS.get(validator_name) if validator_name else None
    context = [str(w) for w in _list(item, "context", name)]
    return PatternRecognizer(
        f"custom:{name}", entity, patterns, validator=validator, context=context_regex(context)
    )


def _list(item: Mapping[str, Any], key: str, name: str) -> Sequence[Any]:
    value = item.get(key) or []
    if not isinstance(value, list):
        raise InvalidInput(f"recognizer {name!r}: {key!r} must be a list", recognizer=name)
    return value


def _pattern(owner: str, spec: Any) -> Pattern:
    if not isinstance(spec, Mapping) or not isinstance(spec.get("regex"), str):
        raise InvalidInput(f"recognizer {owner!r}: each pattern needs a 'regex'", recognizer=owner)
    score = spec.get("score", 0.5)
    if not isinstance(score, int | float) or not 0.0 <= float(score) <= 1.0:
        raise InvalidInput(f"recognizer {owner!r}: score must be in [0, 1]", recognizer=owner)
    try:
        regex = re.compile(spec["regex"])
    except re.error as exc:
        raise InvalidInput(
            f"recognizer {owner!r}: invalid regex ({exc.msg})", recognizer=owner
        ) from exc
    return Pattern(str(spec.get("name", "pattern")), regex, float(score))
