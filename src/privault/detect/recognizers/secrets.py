"""SECRET: credentials in text (passwords, PINs, Wi-Fi keys, API tokens, private keys).

Three sources, from most to least certain:

1. vendor token formats that need no context (AWS key ids, GitHub, Slack,
   Stripe, Google, JWTs, PEM private-key blocks, BitLocker recovery keys);
2. a value right after a credential keyword ("password:", "PIN is", "wifi key");
   only the value is reported, never the keyword;
3. high-entropy strings with a credential word nearby.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from privault.detect._scan import run_matches
from privault.detect._trie import trie_pattern
from privault.detect._types import Finding
from privault.detect.recognizer import TextView, context_regex

__all__ = ["SecretRecognizer", "secret_recognizers", "shannon_entropy"]

_AWS_PREFIXES = ("AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ANPA", "AIPA")
_PEM = (
    r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----.*?"
    r"-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
)
#: (label, substrings one of which must occur, regex, score)
_TOKENS: tuple[tuple[str, tuple[str, ...], re.Pattern[str], float], ...] = (
    ("aws_key_id", _AWS_PREFIXES,
     re.compile(rf"(?<![A-Z0-9])(?:{'|'.join(_AWS_PREFIXES)})[A-Z0-9]{{16}}(?![A-Z0-9])"), 0.95),
    ("github", ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
     re.compile(r"(?<!\w)(?:gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_\w{22,255})"), 0.95),
    ("slack", ("xox",), re.compile(r"(?<!\w)xox[abposre]-[A-Za-z0-9-]{10,250}"), 0.95),
    ("stripe", ("_live_", "_test_", "whsec_"),
     re.compile(r"(?<!\w)(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,99}|whsec_[A-Za-z0-9]{20,}"),
     0.95),
    ("google", ("AIza",), re.compile(r"(?<!\w)AIza[0-9A-Za-z_-]{35}"), 0.9),
    ("jwt", ("eyJ",),
     re.compile(r"(?<![\w.])eyJ[\w-]{5,}\.eyJ[\w-]{5,}\.[\w-]{5,}"), 0.95),
    ("pem", ("-----BEGIN",), re.compile(_PEM, re.DOTALL), 1.0),
)  # fmt: skip
#: Every hint of ``_TOKENS`` in one scan: most texts hold none, and skip all the tokens.
_TOKEN_HINT = re.compile(trie_pattern(h for _, hints, _, _ in _TOKENS for h in hints))
#: BitLocker recovery keys (48 digits): scanned only inside long number runs.
_BITLOCKER = re.compile(r"(?<![\d-])\d{6}(?:-\d{6}){7}(?![\d-])")
_KEYWORD_HINT = re.compile(
    r"pass|pw|pin|code|key|token|secret|bearer|cred|wi-?fi|psk|wpa|kennwort|contrase"
)

_KEYWORD = (
    r"(?:pass(?:word|wort|wd|phrase|code)?|pwd|pw|mot de passe|contraseña|kennwort"
    r"|wi-?fi(?: network)?(?: key| password| pass| psk| code)?|wpa2?(?:-psk)?(?: key)?|psk"
    r"|network key|pre-?shared key|shared (?:key|secret)"
    r"|(?:api|access|secret|private|client|auth|session|refresh|bearer|app|master)"
    r"[ _-]?(?:key|token|secret)(?:[ _-]?id)?"
    r"|secret|token|bearer|credentials?|creds|recovery key|passkey|pin(?: code| number)?"
    r"|(?:door|alarm|gate|safe|access|entry|lock|keypad|security) ?code)"
)
_SEP = (
    r"(?:\s*[:=]+\s*|\s*=>\s*|\s*->\s*"
    r"|(?:\s+(?:for|of|on)\s+[^\n.:;]{1,40}?)?"
    r"\s+(?:is|was|now|reset to|set to|changed to|updated to|to)\s+"
    r"|(?:\s+[a-z]+){1,3}\s*:\s*|\s*[(\[\"']\s*|\s+)"
)
_ANCHORED = re.compile(
    rf"(?<![\w-])(?i:{_KEYWORD})s?(?:\s+(?:is|was))?{_SEP}[\"'(\[]?(?P<v>[^\s\"'`]{{3,200}})"
)
_HIGH_ENTROPY = re.compile(r"(?<![\w/+=-])[A-Za-z0-9/+=_\-]{20,200}(?![\w/+=-])")
_CRED_CONTEXT = context_regex(
    ("key", "token", "secret", "credential", "credentials", "api", "password", "bearer",
     "authorization", "auth", "apikey", "api_key", "client_secret", "access_key")
)  # fmt: skip
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "to",
        "for",
        "of",
        "on",
        "in",
        "at",
        "by",
        "with",
        "from",
        "is",
        "was",
        "are",
        "be",
        "been",
        "this",
        "that",
        "it",
        "its",
        "your",
        "my",
        "our",
        "their",
        "his",
        "her",
        "please",
        "never",
        "not",
        "no",
        "yes",
        "has",
        "have",
        "had",
        "will",
        "would",
        "should",
        "can",
        "could",
        "must",
        "expires",
        "expired",
        "reset",
        "changed",
        "updated",
        "via",
        "using",
        "here",
        "there",
        "again",
        "when",
        "if",
        "policy",
        "manager",
        "field",
        "fields",
        "link",
        "email",
        "sent",
        "hint",
        "protected",
        "required",
    ]
)
_PIN_WORDS = re.compile(r"(?i)pin|code")
#: An e-mail address after a keyword ("password sent to a@b.com") is not the secret.
_EMAIL_LIKE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}$")
#: A chat reply that hands over a credential asked for just before:
#: "can you send me the wifi password" / "Ana: it's Xk9#mPq2".
#: Scanned in the lower-cased text (same offsets): no ``(?i)``, so ``re`` can skip ahead.
_REPLY = re.compile(
    r"(?P<k>password|passcode|pin|code|key|token|secret)\b[^\n]{0,60}\n(?:[^\n:]{1,40}:[ ]?)?"
    r"[ \t]*(?:it'?s|it is|here(?: it is| you go)?|sure|use)[:,]?[ ]+[\"'`]?(?P<v>[^\s\"'`]{4,200})"
)
_TRAILING = ".,;:!?'\""
_CLOSERS = {"(": ")", "[": "]", '"': '"', "'": "'"}


def shannon_entropy(value: str) -> float:
    """Return the Shannon entropy of ``value`` in bits per character."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


@dataclass(frozen=True, slots=True)
class SecretRecognizer:
    """Vendor tokens, keyword-anchored credentials and high-entropy strings."""

    name: str = "secret"
    entropy_bits: float = 3.5

    @property
    def entities(self) -> frozenset[str]:
        """SECRET only."""
        return frozenset(("SECRET",))

    def analyze(self, view: TextView) -> list[Finding]:
        """Return secret values found by any of the three sources."""
        text = view.text
        out = (
            [
                Finding("SECRET", m.start(), m.end(), score, f"{self.name}:{label}")
                for label, hints, regex, score in _TOKENS
                if any(h in text for h in hints)
                for m in regex.finditer(text)
            ]
            if _TOKEN_HINT.search(text)
            else []
        )
        out.extend(
            Finding("SECRET", m.start(), m.end(), 0.9, f"{self.name}:bitlocker")
            for m in run_matches(_BITLOCKER, text, view.runs(), 48)
        )
        if hint := _KEYWORD_HINT.search(view.lower):
            # every keyword holds a hint (in an ASCII text, whose lower-cased form is exact)
            # and no line break: no keyword starts before the first hint's line
            first = view.lower.rfind("\n", 0, hint.start()) + 1 if text.isascii() else 0
            out.extend(self._anchored(view, first))
            out.extend(self._replies(view))
            out.extend(self._entropic(view))
        return out

    def _anchored(self, view: TextView, first: int = 0) -> list[Finding]:
        out: list[Finding] = []
        text = view.text
        for m in _ANCHORED.finditer(text, first):
            start, end = _clean_value(text, m.start("v"), m.end("v"))
            value = text[start:end]
            keyword = m.group(0)[: m.start("v") - m.start()]
            score = _value_score(value, pin=bool(_PIN_WORDS.search(keyword)))
            if score > 0.0:
                out.append(Finding("SECRET", start, end, score, f"{self.name}:anchored"))
        return out

    def _replies(self, view: TextView) -> list[Finding]:
        out: list[Finding] = []
        for m in _REPLY.finditer(view.lower):
            start, end = _clean_value(view.text, m.start("v"), m.end("v"))
            pin = bool(_PIN_WORDS.search(m.group("k")))
            if _value_score(view.text[start:end], pin=pin) > 0.0:
                out.append(Finding("SECRET", start, end, 0.75, f"{self.name}:reply"))
        return out

    def _entropic(self, view: TextView) -> list[Finding]:
        out: list[Finding] = []
        for m in _HIGH_ENTROPY.finditer(view.text):
            value = m.group()
            if not _mixed(value) or shannon_entropy(value) < self.entropy_bits:
                continue
            boost = view.boost(m.start(), m.end(), _CRED_CONTEXT)
            if boost > 0.0:
                out.append(
                    Finding("SECRET", m.start(), m.end(), 0.2 + boost, f"{self.name}:entropy")
                )
        return out


def _clean_value(text: str, start: int, end: int) -> tuple[int, int]:
    opener = text[start - 1] if start > 0 else ""
    closer = _CLOSERS.get(opener)
    if closer and text[end - 1] == closer:
        end -= 1
    while end > start and text[end - 1] in _TRAILING:
        end -= 1
    if closer is None and text[end - 1 : end] == ")" and "(" not in text[start:end]:
        end -= 1
    return start, end


def _value_score(value: str, *, pin: bool) -> float:
    if len(value) < 4 or value.lower() in _STOP or _EMAIL_LIKE.match(value) or "://" in value:
        return 0.0
    if pin:
        return 0.85 if value.isdigit() and 4 <= len(value) <= 8 else _password_score(value)
    return _password_score(value)


def _password_score(value: str) -> float:
    has_digit = any(c.isdigit() for c in value)
    has_symbol = any(not c.isalnum() for c in value)
    has_upper = any(c.isupper() for c in value[1:])
    if value.isdigit():
        return 0.0 if len(value) < 6 else 0.55
    if has_digit or (has_symbol and len(value) >= 6) or (has_upper and len(value) >= 8):
        return 0.85
    return 0.0


def _mixed(value: str) -> bool:
    classes = (
        any(c.islower() for c in value),
        any(c.isupper() for c in value),
        any(c.isdigit() for c in value),
    )
    return sum(classes) >= 2


def secret_recognizers() -> list[SecretRecognizer]:
    """Return the secret recognizer."""
    return [SecretRecognizer()]
