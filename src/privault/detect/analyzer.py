"""The analyzer: recognizers + NER -> thresholds, allow list -> resolved findings.

Flow for a batch of texts (see README.md for the picture):

1. each text is cut into overlapping chunks (most texts are one chunk);
2. the NER backend runs over all chunks at once (``nlp.pipe`` batches);
3. every rule recognizer runs over each chunk; the deny list adds its terms;
4. findings are shifted to text offsets and kept by the chunk that owns them;
5. entity filter, per-type thresholds and the allow list drop findings;
6. :func:`~privault.detect.resolve.resolve` removes overlaps deterministically.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice

from privault.core.errors import InvalidInput, UnknownPlugin
from privault.detect._gate import touches, unexplained_words, windows
from privault.detect._types import Finding
from privault.detect.chunking import Chunk, chunk_text
from privault.detect.custom import DenyListRecognizer, load_recognizers
from privault.detect.ner import DEFAULT_MODEL, NerBackend, SpacyBackend
from privault.detect.recognizer import Recognizer, TextView
from privault.detect.recognizers import builtin_recognizers
from privault.detect.resolve import resolve

__all__ = ["Analyzer", "AnalyzerConfig"]

_NER_TYPES = frozenset(("PERSON", "LOCATION"))


@dataclass(frozen=True, slots=True)
class AnalyzerConfig:
    """Everything that shapes an :class:`Analyzer`; picklable, so workers can rebuild it.

    Attributes:
        rules_only: skip the NER model (no spaCy needed).
        model: spaCy pipeline package for the default NER backend.
        threshold: minimum score for every type without its own threshold.
        thresholds: per-type minimum scores, e.g. ``{"DATE_TIME": 0.7}``.
        allow: values never reported (compared case-insensitively).
        deny: ``{type: [terms]}`` always reported with score 1.0.
        custom_recognizers: path of a YAML file of extra recognizers.
        chunk_size: characters per chunk core for long texts.
        chunk_overlap: characters of overlap on each side of a chunk core.
        batch_size: texts per NER / worker batch.
    """

    rules_only: bool = False
    model: str = DEFAULT_MODEL
    threshold: float = 0.5
    thresholds: Mapping[str, float] = field(default_factory=dict)
    allow: frozenset[str] = frozenset()
    deny: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    custom_recognizers: str | None = None
    chunk_size: int = 20_000
    chunk_overlap: int = 2_000
    batch_size: int = 64

    def __post_init__(self) -> None:
        scores = [self.threshold, *self.thresholds.values()]
        if any(not 0.0 <= s <= 1.0 for s in scores):
            raise InvalidInput("thresholds must be in [0, 1]")
        if self.chunk_size <= 0 or not self.chunk_overlap >= 0:
            raise InvalidInput("chunk_size must be > 0 and chunk_overlap >= 0")


class Analyzer:
    """Finds PII in text. Build once, call many times; safe to share across threads.

    Args:
        config: analyzer settings (defaults: NER on, threshold 0.5).
        recognizers: extra recognizers added to the built-in ones.
        ner: a NER backend replacing the default spaCy one (ignored when rules-only).
    """

    def __init__(
        self,
        config: AnalyzerConfig | None = None,
        *,
        recognizers: Sequence[Recognizer] = (),
        ner: NerBackend | None = None,
    ) -> None:
        self.config = config or AnalyzerConfig()
        self._extra = tuple(recognizers)
        self._custom_ner = ner
        rules: list[Recognizer] = [*builtin_recognizers(), *self._extra]
        if self.config.custom_recognizers:
            rules.extend(load_recognizers(self.config.custom_recognizers))
        if self.config.deny:
            rules.append(DenyListRecognizer.build(self.config.deny))
        self._rules: tuple[Recognizer, ...] = tuple(rules)
        self._ner: NerBackend | None = None
        if not self.config.rules_only:
            self._ner = ner or SpacyBackend(self.config.model, self.config.batch_size)
        self._allow = frozenset(a.casefold() for a in self.config.allow)
        self.supported_entities: frozenset[str] = frozenset().union(
            *(r.entities for r in self._rules)
        ) | (_NER_TYPES if self._ner else frozenset())

    def analyze(
        self, text: str, entities: Iterable[str] | None = None, language: str = "en"
    ) -> list[Finding]:
        """Return the PII findings in ``text``, sorted by offset, non-overlapping.

        Args:
            text: any length; long texts are chunked with overlap.
            entities: restrict to these types (default: all supported).
            language: only ``"en"`` is supported.

        Raises:
            InvalidInput: unsupported language, or ``text`` is not a string.
            UnknownPlugin: an entity type no recognizer can produce.
        """
        return self.analyze_many([text], entities, language)[0]

    def analyze_many(
        self, texts: Sequence[str], entities: Iterable[str] | None = None, language: str = "en"
    ) -> list[list[Finding]]:
        """Analyse several texts at once (one NER batch); see :meth:`analyze`."""
        wanted = self._wanted(entities, language)
        for t in texts:
            if not isinstance(t, str):
                raise InvalidInput("texts must be str")
        plans = [chunk_text(t, self.config.chunk_size, self.config.chunk_overlap) for t in texts]
        pieces = [t[c.start : c.end] for t, plan in zip(texts, plans, strict=True) for c in plan]
        rules = [r for r in self._rules if r.entities & wanted]
        views = [TextView.of(p) for p in pieces]
        found = [[f for r in rules for f in r.analyze(v)] for v in views]
        ner = self._run_ner(pieces, found, wanted)
        out: list[list[Finding]] = []
        index = 0
        for plan in plans:
            if len(plan) == 1:  # most texts: one chunk, the whole text, which owns every finding
                kept = found[index] + ner[index]
                index += 1
            else:
                kept = []
                for chunk in plan:
                    kept.extend(_owned(chunk, found[index] + ner[index]))
                    index += 1
            out.append(self._finish(texts[len(out)], kept, wanted))
        return out

    def analyze_batch(
        self,
        texts: Iterable[str],
        *,
        entities: Iterable[str] | None = None,
        processes: int = 1,
        batch_size: int | None = None,
    ) -> Iterator[list[Finding]]:
        """Stream findings for each text of ``texts``, in input order.

        Args:
            texts: any iterable (read lazily, batch by batch).
            entities: restrict to these types.
            processes: worker processes (1 = in this process).
            batch_size: texts per batch (default: ``config.batch_size``).

        Yields:
            One list of findings per input text.
        """
        wanted = sorted(self._wanted(entities, "en"))
        batches = _batched(texts, batch_size or self.config.batch_size)
        if processes <= 1:
            for batch in batches:
                yield from self.analyze_many(batch, wanted)
            return
        yield from _parallel(self, batches, wanted, processes)

    def _wanted(self, entities: Iterable[str] | None, language: str) -> frozenset[str]:
        if language != "en":
            raise InvalidInput(f"unsupported language {language!r}; supported: en")
        if entities is None:
            return self.supported_entities
        wanted = frozenset(entities)
        unknown = wanted - self.supported_entities
        if unknown:
            valid = ", ".join(sorted(self.supported_entities))
            raise UnknownPlugin(f"unknown entity type(s) {sorted(unknown)}; valid: {valid}")
        return wanted

    def _run_ner(
        self, pieces: list[str], found: list[list[Finding]], wanted: frozenset[str]
    ) -> list[list[Finding]]:
        """Run NER on windows around words the rules left unexplained (see ``_gate``)."""
        out: list[list[Finding]] = [[] for _ in pieces]
        if self._ner is None or not (wanted & _NER_TYPES):
            return out
        floor = self.config.threshold  # below-threshold rule guesses do not explain a word
        words = [
            unexplained_words(p, [x for x in f if x.score >= floor])
            for p, f in zip(pieces, found, strict=True)
        ]
        jobs = [(i, lo, hi) for i, p in enumerate(pieces) for lo, hi in windows(p, words[i])]
        results = self._ner.analyze_many([pieces[i][lo:hi] for i, lo, hi in jobs]) if jobs else []
        for (i, lo, _), res in zip(jobs, results, strict=True):
            out[i].extend(f.shifted(lo) for f in res if touches(f.shifted(lo), words[i]))
        return out

    def _finish(self, text: str, found: list[Finding], wanted: frozenset[str]) -> list[Finding]:
        cfg = self.config
        kept = [
            f
            for f in found
            if f.type in wanted and f.score >= cfg.thresholds.get(f.type, cfg.threshold)
        ]
        if self._allow:
            kept = [f for f in kept if text[f.start : f.end].casefold() not in self._allow]
        return resolve(kept)

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # Workers rebuild the analyzer from its inputs instead of pickling a loaded model.
        return (_rebuild, (self.config, self._extra, self._custom_ner))


def _rebuild(
    config: AnalyzerConfig, extra: tuple[Recognizer, ...], ner: NerBackend | None
) -> Analyzer:
    return Analyzer(config, recognizers=extra, ner=ner)


def _owned(chunk: Chunk, found: list[Finding]) -> Iterator[Finding]:
    """Findings (chunk offsets) this chunk owns, moved to text offsets."""
    for f in found:
        if chunk.owns(chunk.start + f.start):
            yield f.shifted(chunk.start) if chunk.start else f


def _batched(texts: Iterable[str], size: int) -> Iterator[list[str]]:
    it = iter(texts)
    while batch := list(islice(it, size)):
        yield batch


_WORKER: list[Analyzer] = []  # one analyzer per worker process, set by _init_worker


def _init_worker(analyzer: Analyzer) -> None:
    _WORKER[:] = [analyzer]


def _work(args: tuple[list[str], list[str]]) -> list[list[Finding]]:
    texts, wanted = args
    return _WORKER[0].analyze_many(texts, wanted)


def _parallel(
    analyzer: Analyzer, batches: Iterator[list[str]], wanted: list[str], processes: int
) -> Iterator[list[Finding]]:
    """Run batches in a pool with a bounded number in flight, yielding in input order."""
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(processes, initializer=_init_worker, initargs=(analyzer,)) as pool:
        pending: deque[multiprocessing.pool.AsyncResult[list[list[Finding]]]] = deque()
        for batch in batches:
            pending.append(pool.apply_async(_work, ((batch, wanted),)))
            if len(pending) >= 2 * processes:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()
