"""PERSON without a model: rules around names and a given-name list.

Names after titles, greetings, labels and sign-offs, chat speakers, and
capitalised words that start with a known given name.

These rules are the whole PERSON detector in rules-only mode and add recall
next to the NER backend (their spans are merged with the model's).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from privault.detect._trie import WORD, trie_pattern, word_start_pattern
from privault.detect._types import Finding
from privault.detect.recognizer import TextView
from privault.detect.recognizers._words import NOT_NAMES, first_names, word_set

__all__ = ["PersonRuleRecognizer", "person_recognizers"]

_UP = "A-ZÀ-ÖØ-ÞĀ-Ž"  # Latin-1 and Latin Extended-A capitals (the latter range is mixed-case)
_WORD = (
    rf"(?:(?:Mc|Mac|O'|O\u2019|D'|D\u2019)?[{_UP}](?:[^\W\d_]|['\u2019])+"
    rf"(?:-[{_UP}][^\W\d_]+)?)"
)
_PARTICLE = (
    r"(?:van der|van den|van de|von der|de la|de los|van|von|de|del|della|di|da|dos|das|du|le"
    r"|la|ter|ten|zu|bin|al|el)"
)
_TOKEN = rf"(?:{_WORD}|[{_UP}]\.|{_PARTICLE}[ ]{_WORD})"
#: ``_WORD`` that never gives letters back: in the line rules below nothing that may
#: follow a word starts with a letter or an apostrophe, so backtracking into a word
#: cannot succeed (``_NAME_AT`` keeps ``_WORD``: "J. Smith's." gives back "'s").
_WORD_LINE = _WORD.replace(r"['\u2019])+", r"['\u2019])++")
_TOKEN_LINE = rf"(?:{_WORD_LINE}|[{_UP}]\.|{_PARTICLE}[ ]{_WORD_LINE})"
_NAME = rf"(?P<n>{_WORD_LINE}(?:[ ]{_TOKEN_LINE}){{0,3}})"

_TITLES = word_set(
    "Mr Mrs Ms Miss Mx Dr Prof Sir Dame Herr Frau Mme Mlle Monsieur Madame Sr Sra Srta Sig Rev "
    "Fr Capt Lt Col Sgt Hr Fru MR MRS MS DR"
)
_GREETINGS = word_set(
    "dear|hi|hello|hey|hallo|bonjour|ciao|hola|olá|cześć|hej|morning|thanks|good morning"
    "|good afternoon|good evening|thank you",
    "|",
)
_LABELS = word_set(
    """customer|client|patient|name|full name|contact|contact person|reporter|requester|caller
    |requested by|submitted by|approved by|filed by|signed by|authorised by|authorized by
    |reviewed by|created by|raised by|reported by|referred by|escalated by|handled by|verified by
    |witness|beneficiary|debtor|creditor|payee|payer|account holder|account owner|owner
    |cardholder|card holder|holder|employee|technician|engineer|agent|clinician|doctor|nurse|gp
    |tenant|applicant|member|guest|attendee|assignee|assigned to|manager|informant
    |next of kin|emergency contact|spoke to|spoke with|talked to|on behalf of|recipient
    |sender|passenger|driver|user|employee name|student|candidate|visitor|resident
    |consultant|physician|therapist|pharmacist|surgeon|midwife|dentist|lawyer|solicitor
    |my mother|my father|my wife|my husband|my son|my daughter|my brother|my sister|my partner
    |my colleague|my name is|i am|i'm|this is|signed|deceased|mother|father|spouse|son|daughter
    |notified|prospect|met|handoff|cc|attn|att|for patient|patient name|customer name
    |bill to|billed to|ship to|shipped to|sold to|attention|referral from|referred from""",
    "|",
)
_TRIGGERS: dict[str, tuple[str, float]] = {
    **{" ".join(w.lower().split()): ("label", 0.7) for w in _LABELS},
    **{w: ("greeting", 0.75) for w in _GREETINGS},
}
_SIGNOFF = (
    r"(?:Regards|Best regards|Kind regards|Warm regards|Best wishes|Best|Thanks|Thank you|Cheers"
    r"|Sincerely|Yours sincerely|Yours truly|Yours faithfully|Many thanks|Respectfully|BR|Br"
    r"|Mit freundlichen Grüßen|Viele Grüße|Beste Grüße|Cordialement|Bien à vous|Saludos"
    r"|Un saludo|Cordiali saluti|Distinti saluti|Met vriendelijke groet|Groeten|Pozdrawiam"
    r"|Atenciosamente|Med vänliga hälsningar|Venlig hilsen)"
)
#: Rules for a line start. They run on ``"\n" + text`` and begin with that ``\n`` instead
#: of ``(?m)^``: ``re`` then jumps from newline to newline instead of trying every position
#: (no match ends with a newline, so consuming the one before a line changes no match).
_LINE_RULES: tuple[tuple[str, re.Pattern[str], float], ...] = (
    (
        "signoff",
        re.compile(rf"(?m)\n[ \t>]*(?:{_SIGNOFF})[,.!]?[ \t]*\n(?:[ \t>]*\n)?[ \t>-]*{_NAME}"),
        0.75,
    ),
    ("speaker", re.compile(rf"(?m)\n[ \t>]*(?:\[[\d:. APM/-]+\][ ]*)?{_NAME}:[ ]"), 0.55),
    ("irc", re.compile(rf"(?m)\n[ \t]*(?:\[[\d:. APM]+\][ ]*)?<{_NAME}>[ ]"), 0.6),
    (
        "signature",
        re.compile(rf"(?m)\n[ \t>-]*{_NAME}[ ]*(?:\||,[ ]*(?:MD|PhD|RN|CPA|Esq)\b|$)"),
        0.45,
    ),
)
_NAME_AT = re.compile(rf"{_WORD}(?:[ ]{_TOKEN}){{0,3}}")
_INITIAL_NAME_AT = re.compile(rf"[{_UP}]\.[ ]{_WORD}(?:[ ]{_WORD})?(?![\w.])")
#: Between a trigger and the name: a dot, "#", ":", "=", "-" or quotes (JSON / logfmt keys).
_GAP = re.compile(r"""\.?[ ]*(?:["']?[ ]*[:#,=-][ ]*["']?[ ]*)?""")
#: Upper-case runs ("MARIA LOPEZ"); the left boundary is checked after the first
#: capital, so ``re`` scans for capitals instead of trying every position.
_UPPER_NAMES = re.compile(
    rf"(?P<u>[{_UP}](?<![\w@.][{_UP}])[{_UP}]+(?:[ ][{_UP}]{{2,}}){{1,2}})(?![\w])"
)
#: A capitalised word (the start is checked in Python: not inside another word).
_CAP_WORD = re.compile(rf"[{_UP}](?:[^\W\d_]|['\u2019](?=[^\W\d_]))*")
#: Where a capitalised word cannot go on (the end of a ``_CAP_WORD`` match).
_CAP_END = r"(?![^\W\d_]|['\u2019][^\W\d_])"
#: The dot of a one-letter capitalised word followed by ". " ("J. Smith"): literal-led.
_INITIAL_DOT = re.compile(rf"\.(?<=[{_UP}]\.)(?=[ ])")
#: Characters that, right before a capitalised word, make it no name start.
_NOT_BEFORE_NAME = "@._/\\'\u2019"
#: A lower-case particle right after a title: "Mrs. van Boven".
_PARTICLE_NAME_AT = re.compile(rf"(?:{_PARTICLE})[ ]{_WORD}(?:[ ]{_WORD})?")


_LETTER = r"[^\W\d_]"


_AFTER_WORD = rf"(?!{_LETTER}|['\u2019]{_LETTER})"


@cache
def _given_name_regex() -> re.Pattern[str]:
    """The given names that are whole capitalised words, as one trie (built on first use).

    ``re`` then finds the few capitalised words that are given names instead of
    Python looking up every capitalised word of the text in the list.
    """
    names = (n for n in first_names() if _CAP_WORD.fullmatch(n))
    return re.compile(trie_pattern(names) + _CAP_END)


#: Titles start with a capital: ``re`` scans for those quickly, so the trie guards its left.
_TITLE_RE = re.compile(trie_pattern(_TITLES, left=_LETTER) + _AFTER_WORD)
#: Greetings and labels start with most letters: a word-start regex on the padded lower text.
#: The gap after the word is looked at ahead (group ``g``; it holds no letter, so the
#: lower-cased text gives the original's): a name can only start where it ends.
_TRIGGER_RE = re.compile(
    word_start_pattern(set(_TRIGGERS), r"[^a-z](?<=[\W\d_])")
    + _AFTER_WORD
    + rf"(?=(?P<g>{_GAP.pattern}))"
)
#: The characters of ``[_UP]``: every name (``_NAME_AT``) starts with one.
_UP_CHARS = frozenset(c for c in map(chr, range(0x180)) if re.match(f"[{_UP}]", c))


def _trim_name(value: str) -> str:
    """Drop trailing tokens that are common words (``"John Smith Please"`` -> ``"John Smith"``)."""
    parts = value.split(" ")
    while len(parts) > 1 and (
        parts[-1].lower().rstrip(".") in NOT_NAMES or (len(parts[-1]) == 2 and parts[-1][1] == ".")
    ):
        parts.pop()
    return " ".join(parts)


@dataclass(frozen=True, slots=True)
class PersonRuleRecognizer:
    """Rule-based person names (see the module docstring)."""

    name: str = "person_rules"

    @property
    def entities(self) -> frozenset[str]:
        """PERSON only."""
        return frozenset(("PERSON",))

    def analyze(self, view: TextView) -> list[Finding]:
        """Return person-name spans found by the rules and the given-name list."""
        text = view.text
        out: list[Finding] = []
        lines = view.padded()  # offsets in ``lines`` are one more than in ``text``
        for label, regex, score in _LINE_RULES:
            for m in regex.finditer(lines):
                out.extend(self._emit(m.start("n") - 1, m.group("n"), score, label))
        out.extend(self._titled(view))
        out.extend(self._triggered(view))
        out.extend(self._given_names(text))
        for m in _UPPER_NAMES.finditer(text):
            if m.group("u").split(" ")[0].title() in first_names():
                out.append(Finding("PERSON", m.start(), m.end(), 0.65, f"{self.name}:upper"))
        return out

    def _titled(self, view: TextView) -> list[Finding]:
        """Names right after a title ("Dr. Ruiz", "Mrs van Boven")."""
        out: list[Finding] = []
        text = view.text
        for t in _TITLE_RE.finditer(text):
            end = t.end()
            pos = _GAP.match(text, end)
            at = pos.end() if pos else end
            m = _NAME_AT.match(text, at) or _PARTICLE_NAME_AT.match(text, at)
            if m is not None:
                out.extend(self._emit(m.start(), m.group(), 0.85, "title"))
        return out

    def _triggered(self, view: TextView) -> list[Finding]:
        """Names right after a greeting or label word ("Dear", "Patient:", "name=")."""
        out: list[Finding] = []
        text = view.text
        for t in _TRIGGER_RE.finditer(view.padded(lower=True)):
            at = t.end("g") - 1
            if text[at : at + 1] not in _UP_CHARS:
                continue  # most label words are followed by a lower-case word
            label, score = _TRIGGERS[t.group(WORD)]
            m = _NAME_AT.match(text, at)
            if m is not None:
                out.extend(self._emit(m.start(), m.group(), score, label))
        return out

    def _emit(self, start: int, value: str, score: float, label: str) -> list[Finding]:
        if " " not in value:  # one word (most given names): nothing to trim
            first = value
        else:
            value = _trim_name(value) if label != "title" else value
            first = value.split(" ")[0]
        if not value or (label != "title" and first.lower() in NOT_NAMES):
            return []
        if label != "title" and first.rstrip(".") in _TITLES:
            return []  # "Dear Ms Torres": the title rule reports "Torres"
        if label in ("speaker", "signature") and first not in first_names():
            return []
        return [Finding("PERSON", start, start + len(value), score, f"{self.name}:{label}")]

    def _given_names(self, text: str) -> list[Finding]:
        """Capitalised words that are a known given name, and "J. Smith" initials.

        Candidates: the given-name words (one trie scan) and one-letter capitalised
        words before ". ", in text order; a candidate right after a letter or one of
        ``_NOT_BEFORE_NAME`` is inside another word, and one inside a name already
        reported is skipped.
        """
        hits = [(m.start(), True) for m in _given_name_regex().finditer(text)]
        hits += [(m.start() - 1, False) for m in _INITIAL_DOT.finditer(text)]
        hits.sort()
        out: list[Finding] = []
        covered = 0
        for start, given in hits:
            before = text[start - 1] if start else ""
            if start < covered or before.isalpha() or (before and before in _NOT_BEFORE_NAME):
                continue
            if given:
                m = _NAME_AT.match(text, start)
                if m is not None:
                    score = 0.7 if " " in m.group() else 0.5
                    out.extend(self._emit(start, m.group(), score, "given"))
                    covered = m.end()
            elif (m := _INITIAL_NAME_AT.match(text, start)) is not None:
                out.append(Finding("PERSON", start, m.end(), 0.5, f"{self.name}:initial"))
        return out


def person_recognizers() -> list[PersonRuleRecognizer]:
    """Return the rule-based person recognizer."""
    return [PersonRuleRecognizer()]
