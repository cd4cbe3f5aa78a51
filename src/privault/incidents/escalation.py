"""What the incident tick must send now: escalation levels and regulation-clock reminders.

Pure planning over the incident's timeline, which is also the tick's memory:

* ``escalation`` entries (detail ``stage`` = ``esc:N``) start level N;
* ``reminder`` entries (``stage`` = ``clock:RULE:LABEL``) start a reminder;
* ``notify`` entries record each delivery (``key`` = ``STAGE>TARGET``, the
  concrete target, ``status`` = sent, failed or skipped);
* an ``ack`` entry stops escalation.

A stage is started once, to the targets it resolves to then; a delivery whose
last status is failed is tried again at later ticks until it is sent, backing
off (1, 2, 4 … minutes after the last failure, at most :data:`MAX_BACKOFF`) so
that a broken notifier does not flood the timeline. So
running the tick twice sends nothing twice, and a failed delivery is never
silently dropped. The tick records a stage together with its deliveries, after
sending: a crash in between sends again (at least once) rather than never.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from privault.incidents.clocks import Obligation
from privault.incidents.matrix import Matrix, Reminder
from privault.incidents.model import Incident, TimelineEntry

DONE = frozenset({"sent", "skipped"})
MAX_BACKOFF = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Attempts:
    """The deliveries of one key so far: last status, how many, when the last."""

    status: str
    count: int
    last: datetime


@dataclass(frozen=True, slots=True)
class Stage:
    """A stage to start now, or one already started whose deliveries are checked."""

    key: str
    kind: str  # escalation | reminder
    notify: tuple[str, ...]
    new: bool
    level: int = 0
    levels: int = 0
    rule: str | None = None
    label: str | None = None
    due: datetime | None = None


@dataclass(frozen=True, slots=True)
class Memory:
    """What the timeline says the tick has done for one incident."""

    started: dict[str, TimelineEntry]
    delivered: dict[str, Attempts]
    acked: TimelineEntry | None

    @classmethod
    def of(cls, timeline: Sequence[TimelineEntry]) -> Memory:
        """Read the tick's memory from a timeline."""
        started: dict[str, TimelineEntry] = {}
        delivered: dict[str, Attempts] = {}
        acked = None
        for t in timeline:
            if t.kind in ("escalation", "reminder") and "stage" in t.detail:
                started.setdefault(str(t.detail["stage"]), t)
            elif t.kind == "notify" and "key" in t.detail:
                key = str(t.detail["key"])
                count = delivered[key].count + 1 if key in delivered else 1
                delivered[key] = Attempts(str(t.detail.get("status")), count, t.ts)
            elif t.kind == "ack" and acked is None:
                acked = t
        return cls(started, delivered, acked)

    def failed(self, stage: str, now: datetime | None = None) -> list[str]:
        """Targets of ``stage`` whose last delivery failed; with ``now``, those due a retry."""
        prefix = f"{stage}>"
        return sorted(
            k[len(prefix) :]
            for k, a in self.delivered.items()
            if k.startswith(prefix)
            and a.status not in DONE
            and (now is None or now >= a.last + backoff(a.count))
        )

    @property
    def failing(self) -> int:
        """How many deliveries are failed at their last attempt."""
        return sum(1 for a in self.delivered.values() if a.status not in DONE)


def backoff(failures: int) -> timedelta:
    """How long to wait after ``failures`` failed attempts: 1, 2, 4 … minutes, at most 1 h."""
    return min(timedelta(minutes=2 ** min(failures - 1, 10)), MAX_BACKOFF)


def delivery_key(stage: str, target: str) -> str:
    """The idempotency key of one delivery."""
    return f"{stage}>{target}"


def escalation_stages(
    incident: Incident, memory: Memory, matrix: Matrix, now: datetime
) -> list[Stage]:
    """Escalation levels started so far (to retry) and the level to start now, if any."""
    levels = matrix.levels.get(incident.severity, ())
    if incident.state == "closed" or memory.acked is not None or not levels:
        return []
    out: list[Stage] = []
    current = -1
    for n, level in enumerate(levels):
        entry = memory.started.get(f"esc:{n}")
        if entry is None:
            break
        current = n
        out.append(Stage(f"esc:{n}", "escalation", level.notify, False, n, len(levels)))
    if current < 0:
        start_next = True
    else:
        window = levels[current].ack_within
        since = memory.started[f"esc:{current}"].ts
        start_next = window is not None and current + 1 < len(levels) and now >= since + window
    if start_next:
        n = current + 1
        out.append(Stage(f"esc:{n}", "escalation", levels[n].notify, True, n, len(levels)))
    return out


def _point(reminder: Reminder, start: datetime, due: datetime) -> datetime | None:
    if reminder.overdue:
        return due
    if reminder.fraction is not None:
        point = start + (due - start) * reminder.fraction
    else:
        point = due - (reminder.before or timedelta(0))
    return point if point > start else None  # e.g. "24 h before" a 24 h deadline


def reminder_stages(
    incident: Incident,
    obligations: Sequence[Obligation],
    memory: Memory,
    matrix: Matrix,
    now: datetime,
) -> list[Stage]:
    """Reminders started so far (to retry) and, per clock, the latest threshold passed."""
    if incident.state == "closed" or not matrix.reminders:
        return []
    out: list[Stage] = []
    for ob in obligations:
        if not ob.applies or ob.notified_at is not None or ob.due is None:
            continue
        start = ob.start or incident.aware_at
        points = [(p, r) for r in matrix.reminders if (p := _point(r, start, ob.due)) is not None]
        points.sort(key=lambda pr: pr[0])
        passed = [i for i, (p, _r) in enumerate(points) if p <= now]
        latest_started = -1
        for i, (_p, r) in enumerate(points):
            key = f"clock:{ob.rule.id}:{r.label}"
            if key in memory.started:
                latest_started = i
                out.append(Stage(key, "reminder", r.notify, False, rule=ob.rule.id,
                                 label=r.label, due=ob.due))  # fmt: skip
        if passed and passed[-1] > latest_started:
            r = points[passed[-1]][1]
            key = f"clock:{ob.rule.id}:{r.label}"
            out.append(Stage(key, "reminder", r.notify, True, rule=ob.rule.id,
                             label=r.label, due=ob.due))  # fmt: skip
    return out


def remaining(due: datetime, now: datetime) -> str:
    """``3 d 4 h``, ``5 h 10 min`` or ``overdue by 2 h 0 min``."""
    seconds = int((due - now).total_seconds())
    late, seconds = seconds < 0, abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    text = f"{days} d {hours} h" if days else f"{hours} h {rest // 60} min"
    return f"overdue by {text}" if late else text
