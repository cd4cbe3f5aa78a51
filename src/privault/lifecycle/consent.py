"""Consent and opt-out: purposes, how a choice was made, and who refused what.

A subject's latest choice per purpose wins; an absent choice is not a
refusal (opt-out model, as CCPA and legitimate-interest processing work;
purposes that need prior consent record ``granted`` first and the gate
refuses nothing the subject did not refuse). A processing restriction
(GDPR art. 18) refuses every purpose except the exempt ones: establishing
legal claims and answering the subject's own requests.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from privault.core.errors import InvalidInput

DECISIONS: tuple[str, ...] = ("granted", "withdrawn")
METHODS: tuple[str, ...] = ("form", "api", "import", "gpc", "dsr", "cli")
KNOWN_PURPOSES: tuple[str, ...] = ("marketing", "analytics", "sale", "share", "profiling")
GPC_PURPOSES: tuple[str, ...] = ("sale", "share")
RESTRICTION_EXEMPT = frozenset({"legal", "legal-claims", "dsr", "dsr-access", "retention"})


def check_decision(decision: str) -> str:
    """Validate a decision (``granted`` or ``withdrawn``; ``opt-out`` means withdrawn).

    Raises:
        InvalidInput: anything else.

    """
    normal = {"opt-out": "withdrawn", "opt-in": "granted", "denied": "withdrawn"}.get(
        decision, decision
    )
    if normal not in DECISIONS:
        raise InvalidInput(f"unknown decision {decision!r}; valid: granted, withdrawn")
    return normal


def check_method(method: str) -> str:
    """Validate how a choice was collected.

    Raises:
        InvalidInput: an unknown method.

    """
    if method not in METHODS:
        raise InvalidInput(f"unknown consent method {method!r}; valid: {', '.join(METHODS)}")
    return method


def check_purpose(purpose: str) -> str:
    """Validate a purpose name (lower-case words and dashes).

    Raises:
        InvalidInput: an empty or malformed purpose.

    """
    normal = purpose.strip().lower()
    if not normal or len(normal) > 63 or not all(c.isalnum() or c in "-_/" for c in normal):
        raise InvalidInput("a purpose is 1-63 characters: letters, digits, '-', '_' or '/'")
    return normal


def refused(
    subjects: Iterable[str],
    purpose: str,
    withdrawn: Mapping[str, set[str]],
    restricted: set[str],
) -> set[str]:
    """The subjects who refused ``purpose``.

    Args:
        subjects: the subjects asked about.
        purpose: the purpose of the read.
        withdrawn: subject → purposes whose latest decision is ``withdrawn``.
        restricted: subjects under a processing restriction.

    """
    wanted = purpose.strip().lower()
    exempt = wanted in RESTRICTION_EXEMPT
    return {
        s for s in subjects if wanted in withdrawn.get(s, set()) or (s in restricted and not exempt)
    }
