"""EMAIL_ADDRESS, URL, IP_ADDRESS and MAC_ADDRESS recognizers."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from privault.detect._types import Finding
from privault.detect.recognizer import (
    Pattern,
    PatternRecognizer,
    Recognizer,
    TextView,
    context_regex,
)

__all__ = ["EmailRecognizer", "IPv6Recognizer", "network_recognizers"]

#: The local part is at most 64 characters and no match holds white space.
_LOCAL_MAX = 64
_SPACE = re.compile(r"\s")
_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+'-]{0,63}@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])"
)
_URL = re.compile(
    r"(?<![\w@])(?:https?|ftps?|sftp|wss?)://[^\s<>\"'`|\\^{}]+?(?=[.,;:!?)\]]*(?:[\s<>\"'`|]|$))",
    re.IGNORECASE,
)
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = re.compile(
    rf"(?=\d)(?<![\w.:])(?:{_OCTET}\.){{3}}{_OCTET}(?:/\d{{1,2}})?(?!\.?\d)(?![\w-])"
)
_IPV6_CANDIDATE = re.compile(r"(?<![\w:.])[0-9A-Fa-f:]*:[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*(?![\w:])")
_MAC_SEP = re.compile(
    r"(?<![\w:-])[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}(?![\w:-])"
)
_MAC_DOT = re.compile(r"(?<![\w.])[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}(?![\w.])")
#: Cheap necessary parts (literal-led, so ``re`` skips ahead): the MAC patterns start
#: with a lookbehind and would otherwise be tried at every position of every text.
_MAC_SEP_PART = re.compile(r"[:-][0-9A-Fa-f]{2}[:-][0-9A-Fa-f]{2}[:-]")
_MAC_DOT_PART = re.compile(r"\.[0-9A-Fa-f]{4}\.")
#: The middle of a dotted quad (".168.1."): literal-led, found in few texts.
_IPV4_PART = re.compile(r"\.\d{1,3}\.\d{1,3}\.")
#: Without ``::`` a valid IPv6 address has seven colons: three inner groups in a row.
_IPV6_PART = re.compile(r":[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}:")

_IP_CONTEXT = context_regex(
    ("ip", "ipv4", "ipv6", "address", "gateway", "host", "server", "from", "client", "dns")
)
_MAC_CONTEXT = context_regex(
    ("mac", "lladdr", "ether", "hwaddr", "wake-on-lan", "station", "bssid")
)


def _has_hex_letter_or_context(value: str) -> bool:
    # Cisco-dotted MACs look like version triples when all digits.
    return any(c.isalpha() for c in value)


@dataclass(frozen=True, slots=True)
class EmailRecognizer:
    """E-mail addresses, scanned only around each ``@``.

    An address holds an ``@``, at most ``_LOCAL_MAX`` characters before it and no
    white space, so the scan runs from that far before each ``@`` (or from the
    white space ending the previous window) to the white space after it: the
    same matches as a scan of the whole text, which the address regex (led by
    a lookbehind) would try at every position.
    """

    name: str = "email"
    score: float = 1.0

    @property
    def entities(self) -> frozenset[str]:
        """EMAIL_ADDRESS only."""
        return frozenset(("EMAIL_ADDRESS",))

    def analyze(self, view: TextView) -> list[Finding]:
        """Return every e-mail address."""
        text = view.text
        out: list[Finding] = []
        done = 0  # end of the previous window: a white space (no match crosses it)
        at = text.find("@")
        while at >= 0:
            space = _SPACE.search(text, at)
            hi = space.start() if space else len(text)
            for m in _EMAIL.finditer(text, max(done, at - _LOCAL_MAX), hi):
                out.append(Finding("EMAIL_ADDRESS", m.start(), m.end(), self.score, self.name))
            done = hi
            at = text.find("@", hi)
        return out


@dataclass(frozen=True, slots=True)
class IPv6Recognizer:
    """IPv6 addresses: a permissive candidate regex checked by :mod:`ipaddress`."""

    name: str = "ipv6"
    base_score: float = 0.85

    @property
    def entities(self) -> frozenset[str]:
        """IP_ADDRESS only."""
        return frozenset(("IP_ADDRESS",))

    def analyze(self, view: TextView) -> list[Finding]:
        """Return valid IPv6 addresses (with at least four groups or ``::``)."""
        out: list[Finding] = []
        if "::" not in view.text and _IPV6_PART.search(view.text) is None:
            return out  # no candidate could have "::" or five colons (see ``_IPV6_PART``)
        for m in _IPV6_CANDIDATE.finditer(view.text):
            value = m.group().rstrip(".:")
            if value.count(":") < 2 or len(value) < 6:
                continue
            if "::" not in value and value.count(":") < 5:
                continue
            try:
                ipaddress.IPv6Address(value)
            except ValueError:
                continue
            out.append(
                Finding("IP_ADDRESS", m.start(), m.start() + len(value), self.base_score, self.name)
            )
        return out


def network_recognizers() -> list[Recognizer]:
    """Return the e-mail, URL, IP and MAC recognizers."""
    return [
        EmailRecognizer(),
        PatternRecognizer("url", "URL", (Pattern("scheme", _URL, 0.95),), hints=("//",)),
        PatternRecognizer(
            "ipv4",
            "IP_ADDRESS",
            (Pattern("ipv4", _IPV4, 0.9),),
            context=_IP_CONTEXT,
            min_counts=((".", 3),),
            prefilter=_IPV4_PART,
            min_digits=4,
        ),
        IPv6Recognizer(),
        PatternRecognizer(
            "mac",
            "MAC_ADDRESS",
            (Pattern("sep", _MAC_SEP, 0.9),),
            context=_MAC_CONTEXT,
            prefilter=_MAC_SEP_PART,
        ),
        PatternRecognizer(
            "mac_dotted",
            "MAC_ADDRESS",
            (Pattern("dot", _MAC_DOT, 0.7),),
            validator=_has_hex_letter_or_context,
            context=_MAC_CONTEXT,
            prefilter=_MAC_DOT_PART,
        ),
    ]
