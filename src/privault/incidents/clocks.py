"""Regulation clocks: which notification duties an incident triggers, and when each is due.

Rules are data (``regulations.yaml`` in this package). Times are computed and
stored in UTC; :func:`countdown` shows them in any IANA time zone.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from privault.core.errors import InvalidInput

HIGH_RISK_SEVERITIES = frozenset({"high", "critical"})


@dataclass(frozen=True, slots=True)
class Rule:
    """One notification duty as configured."""

    id: str
    regulation: str
    title: str
    basis: str
    audience: str
    when: Mapping[str, Any]
    deadline: Mapping[str, Any]
    after: str | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Facts:
    """What the rules look at: the impact's counts and codes and the incident's flags."""

    jurisdictions: Mapping[str, int] = field(default_factory=dict)
    exposed_jurisdictions: Mapping[str, int] = field(default_factory=dict)
    pii_types: frozenset[str] = frozenset()
    exposed_pii_types: frozenset[str] = frozenset()
    subjects: int = 0
    exposed_subjects: int = 0
    flags: frozenset[str] = frozenset()
    high_risk: bool = False

    @classmethod
    def of(cls, impact: Mapping[str, Any] | None, flags: Sequence[str], severity: str) -> Facts:
        """Facts from a stored impact document and the incident."""
        i = impact or {}
        return cls(
            jurisdictions=dict(i.get("jurisdictions", {})),
            exposed_jurisdictions=dict(i.get("exposed_jurisdictions", {})),
            pii_types=frozenset(i.get("pii_types", [])),
            exposed_pii_types=frozenset(i.get("exposed_pii_types", [])),
            subjects=int(i.get("subjects", 0)),
            exposed_subjects=int(i.get("exposed_subjects", 0)),
            flags=frozenset(flags),
            high_risk=severity in HIGH_RISK_SEVERITIES,
        )


@dataclass(frozen=True, slots=True)
class Obligation:
    """A rule applied to one incident: whether it applies, why, and when it is due (UTC)."""

    rule: Rule
    applies: bool
    reason: str
    due: datetime | None
    guidance: str
    notified_at: datetime | None = None
    start: datetime | None = None


def load_rules(path: Path | None = None) -> list[Rule]:
    """The shipped rules, or those of ``path``.

    Raises:
        InvalidInput: the file is not a valid rule set.
    """
    if path is None:
        text = resources.files("privault.incidents").joinpath("regulations.yaml").read_text()
    else:
        text = path.read_text()
    doc = yaml.safe_load(text) or {}
    sets: dict[str, list[str]] = doc.get("sets", {})
    rules = []
    try:
        for raw in doc["rules"]:
            when = dict(raw.get("when", {}))
            if isinstance(when.get("countries"), str):
                when["countries"] = sets[when["countries"]]
            rules.append(
                Rule(
                    raw["id"],
                    raw["regulation"],
                    raw["title"],
                    raw.get("basis", ""),
                    raw["audience"],
                    when,
                    dict(raw["deadline"]),
                    raw.get("after"),
                    raw.get("note", ""),
                )
            )
    except (KeyError, TypeError) as exc:
        raise InvalidInput(f"invalid regulation rules: missing {exc}") from None
    return rules


def _counts(rule: Rule, facts: Facts) -> Mapping[str, int]:
    return facts.exposed_jurisdictions if rule.when.get("exposed_only") else facts.jurisdictions


def _where(rule: Rule, facts: Facts) -> tuple[bool, str]:
    """Whether the jurisdiction conditions hold, and why."""
    counts = _counts(rule, facts)
    unknown = counts.get("unknown", 0)
    countries = rule.when.get("countries")
    if countries is not None:
        hit = sum(n for code, n in counts.items() if code.split("-")[0] in countries)
        if hit:
            return True, f"{hit} subject(s) in scope"
        if unknown:
            return True, f"{unknown} subject(s) of unknown jurisdiction (applied conservatively)"
        return False, "no subjects in its jurisdictions"
    states = rule.when.get("states")
    if states is not None:
        hit = sum(counts.get(s, 0) for s in states)
        if hit:
            return True, f"{hit} resident(s) of {', '.join(states)}"
        if unknown:
            return True, f"{unknown} subject(s) of unknown jurisdiction (applied conservatively)"
        return False, f"no residents of {', '.join(states)}"
    return True, "applies to this incident"


def _conditions(rule: Rule, facts: Facts) -> tuple[bool, str]:
    """Whether ``rule`` applies to ``facts``, and the reason (first failing condition)."""
    w = rule.when
    exposed = facts.exposed_subjects if w.get("exposed_only") else facts.subjects
    if w.get("flag") and w["flag"] not in facts.flags:
        return False, f"the incident is not flagged {w['flag']}"
    if w.get("exposed_only") and facts.exposed_subjects == 0:
        return False, "nothing left in plain (safe harbour: encrypted, masked or tokenised)"
    if w.get("pii_any"):
        types = facts.exposed_pii_types if w.get("exposed_only") else facts.pii_types
        if not set(w["pii_any"]) & types:
            return False, f"none of {', '.join(w['pii_any'])} affected"
    if w.get("high_risk") and not facts.high_risk:
        return False, "not assessed as high risk (severity below high)"
    if "min_total" in w and exposed < int(w["min_total"]):
        return False, f"fewer than {w['min_total']} individuals"
    if "max_total" in w and exposed > int(w["max_total"]):
        return False, f"more than {w['max_total']} individuals"
    for key, above in (("more_than_per_state", True), ("min_per_state", False)):
        if key in w:
            return _per_state(rule, facts, int(w[key]), above)
    return _where(rule, facts)


def _per_state(rule: Rule, facts: Facts, limit: int, above: bool) -> tuple[bool, str]:
    """A resident threshold per state (only the rule's ``states`` when it names them)."""
    states = rule.when.get("states")
    counts = _counts(rule, facts)
    big = sorted(
        c
        for c, n in counts.items()
        if c.startswith("US-")
        and (states is None or c in states)
        and (n > limit if above else n >= limit)
    )
    wording = f"more than {limit}" if above else f"{limit} or more"
    if not big:
        return False, f"no state with {wording} residents affected"
    return True, f"{wording} residents of {', '.join(big)}"


def add_months(when: datetime, months: int) -> datetime:
    """``when`` plus calendar months (31 Jan + 1 month = 28/29 Feb)."""
    total = when.month - 1 + months
    year, month = when.year + total // 12, total % 12 + 1
    day = min(when.day, calendar.monthrange(year, month)[1])
    return when.replace(year=year, month=month, day=day)


def due_from(base: datetime, deadline: Mapping[str, Any]) -> tuple[datetime | None, str]:
    """The due time counted from ``base`` (UTC), and the wording of the deadline."""
    if deadline.get("immediately"):
        return base, "immediately"
    if deadline.get("undue_delay"):
        return None, str(deadline.get("text") or "without undue delay (no fixed clock)")
    if "hours" in deadline:
        return base + timedelta(hours=int(deadline["hours"])), f"within {deadline['hours']} h"
    if "days" in deadline:
        return base + timedelta(days=int(deadline["days"])), f"within {deadline['days']} days"
    if "months" in deadline:
        months = int(deadline["months"])
        return add_months(base, months), f"within {months} month(s)"
    if "year_end_days" in deadline:
        end = datetime(base.year + 1, 1, 1, tzinfo=UTC)
        days = int(deadline["year_end_days"])
        return end + timedelta(days=days), f"within {days} days of the end of the year"
    raise InvalidInput(f"unknown deadline {dict(deadline)}")


def obligations(
    rules: Sequence[Rule],
    facts: Facts,
    aware_at: datetime,
    notified: Mapping[str, datetime] | None = None,
) -> list[Obligation]:
    """Every rule evaluated for one incident; deadlines count from ``aware_at`` (UTC)."""
    notified = notified or {}
    aware = aware_at.astimezone(UTC)
    out: dict[str, Obligation] = {}
    for rule in rules:
        applies, reason = _conditions(rule, facts)
        base = aware
        if rule.after is not None:
            prior = out.get(rule.after)
            anchor = notified.get(rule.after) or (prior.due if prior else None)
            base = anchor.astimezone(UTC) if anchor else aware
        due, guidance = due_from(base, rule.deadline)
        out[rule.id] = Obligation(
            rule, applies, reason, due, guidance, notified.get(rule.id), start=base
        )
    return list(out.values())


def zone(name: str | None) -> ZoneInfo | None:
    """The IANA zone ``name`` (None: UTC).

    Raises:
        InvalidInput: unknown zone.
    """
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"unknown time zone {name!r} (use an IANA name, e.g. Europe/Berlin)"
        ) from None


def countdown(ob: Obligation, now: datetime, tz: str | None = None) -> dict[str, Any]:
    """Status of one obligation at ``now``: due (in ``tz``), remaining, overdue."""
    where = zone(tz) or UTC
    status = "not-applicable"
    remaining: float | None = None
    if ob.applies:
        if ob.notified_at is not None:
            status = "done" if ob.due is None or ob.notified_at <= ob.due else "done-late"
        elif ob.due is None:
            status = "asap"
        else:
            remaining = (ob.due - now).total_seconds()
            status = (
                "overdue" if remaining < 0 else ("due-soon" if remaining < 12 * 3600 else "open")
            )
    return {
        "rule": ob.rule.id,
        "regulation": ob.rule.regulation,
        "title": ob.rule.title,
        "basis": ob.rule.basis,
        "note": ob.rule.note,
        "audience": ob.rule.audience,
        "applies": ob.applies,
        "reason": ob.reason,
        "deadline": ob.guidance,
        "due": ob.due.astimezone(where).isoformat() if ob.due else None,
        "remaining_seconds": remaining,
        "overdue": status == "overdue",
        "status": status,
        "notified_at": ob.notified_at.astimezone(where).isoformat() if ob.notified_at else None,
    }
