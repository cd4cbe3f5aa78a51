"""The escalation matrix as data: who is notified at which severity, and who next.

A YAML document (``escalation.yaml`` shipped in this package; an installation
overrides it with ``escalation.yaml`` in its data directory, written by
``privault incident matrix apply``)::

    include_title: false          # titles are free text: kept out of messages unless allowed
    mail: {host: smtp.example.com, port: 25, sender: privault@example.com}
    notifiers:                    # named alert notifiers (same options as monitor.yaml)
      soc-mail: {type: email, host: 127.0.0.1, port: 25, recipients: [soc@example.com]}
    contacts:                     # how people are reached (by mail through ``mail``)
      user:dora: {email: dora@example.com}
    severities:                   # every severity, ordered levels
      critical:
        - {notify: [role:lead, notifier:soc-mail], ack_within: 15m}
        - {notify: [role:dpo, user:ciso], ack_within: 30m}
        - {notify: [notifier:monitor]}
    reminders:                    # regulation clocks: when, and to whom
      - {at: 50%, notify: [role:lead]}
      - {before: 24h, notify: [role:lead, role:dpo]}
      - {overdue: true, notify: [role:lead, role:dpo, notifier:monitor]}

Targets: ``role:<team role>`` (the incident's members in that role),
``user:<name>`` (a principal; reached through ``contacts``),
``notifier:<name>`` (a named notifier above) and ``notifier:monitor`` (every
notifier of monitor.yaml that wants the incident's severity).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from privault.core.errors import ConfigurationError, PrivaultError
from privault.incidents.model import SEVERITIES, TEAM_ROLES

MONITOR = "notifier:monitor"
_DURATION = re.compile(r"^(\d+)\s*(m|h|d)$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


@dataclass(frozen=True, slots=True)
class Level:
    """One escalation level: who is notified, and how long they have to acknowledge."""

    notify: tuple[str, ...]
    ack_within: timedelta | None


@dataclass(frozen=True, slots=True)
class Reminder:
    """A reminder threshold of a regulation clock (exactly one of the three is set)."""

    label: str
    notify: tuple[str, ...]
    fraction: float | None = None
    before: timedelta | None = None
    overdue: bool = False


@dataclass(frozen=True, slots=True)
class Matrix:
    """A validated escalation matrix."""

    levels: Mapping[str, tuple[Level, ...]]
    reminders: tuple[Reminder, ...]
    notifiers: Mapping[str, Mapping[str, Any]]
    contacts: Mapping[str, str]
    mail: Mapping[str, Any] | None
    include_title: bool = False


class _LevelDoc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    notify: list[str] = Field(min_length=1)
    ack_within: str | None = None


class _ReminderDoc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    at: str | None = None
    before: str | None = None
    overdue: bool = False
    notify: list[str] = Field(min_length=1)


class _ContactDoc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")


class _MailDoc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    host: str = "127.0.0.1"
    port: int = Field(default=25, ge=1, le=65535)
    sender: str = "privault@localhost"
    starttls: bool = False
    timeout: float = Field(default=10.0, gt=0)


class _MatrixDoc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    include_title: bool = False
    mail: _MailDoc | None = None
    notifiers: dict[str, dict[str, Any]] = Field(default_factory=dict)
    contacts: dict[str, _ContactDoc] = Field(default_factory=dict)
    severities: dict[str, list[_LevelDoc]]
    reminders: list[_ReminderDoc] = Field(default_factory=list)


def duration(text: str, where: str) -> timedelta:
    """``15m``, ``4h`` or ``2d`` as a timedelta.

    Raises:
        ConfigurationError: not a positive duration.
    """
    m = _DURATION.match(text.strip())
    if m is None or int(m.group(1)) == 0:
        raise ConfigurationError(f"escalation matrix {where}: durations look like 15m, 4h or 2d")
    return timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})


def _target(ref: str, notifiers: Mapping[str, Any], where: str) -> str:
    kind, _, name = ref.partition(":")
    if kind == "role" and name in TEAM_ROLES:
        return ref
    if kind == "user" and name:
        return ref
    if kind == "notifier" and (name in notifiers or ref == MONITOR):
        return ref
    if kind == "role":
        raise ConfigurationError(
            f"escalation matrix {where}: unknown team role {name!r}; valid: {', '.join(TEAM_ROLES)}"
        )
    if kind == "notifier":
        known = ", ".join([*sorted(notifiers), "monitor"])
        raise ConfigurationError(
            f"escalation matrix {where}: unknown notifier {name!r}; defined: {known}"
        )
    raise ConfigurationError(
        f"escalation matrix {where}: targets are role:NAME, user:NAME or notifier:NAME"
    )


def _levels(doc: _MatrixDoc) -> dict[str, tuple[Level, ...]]:
    unknown = sorted(set(doc.severities) - set(SEVERITIES))
    if unknown:
        raise ConfigurationError(
            f"escalation matrix: unknown severity {unknown[0]!r}; valid: {', '.join(SEVERITIES)}"
        )
    missing = [s for s in SEVERITIES if s not in doc.severities]
    out: dict[str, tuple[Level, ...]] = {}
    for sev in (s for s in SEVERITIES if s in doc.severities):
        levels = []
        for n, lv in enumerate(doc.severities[sev], 1):
            where = f"severities.{sev}[{n}]"
            refs = tuple(_target(r, doc.notifiers, where) for r in lv.notify)
            window = duration(lv.ack_within, where) if lv.ack_within else None
            if window is None and n < len(doc.severities[sev]):
                raise ConfigurationError(
                    f"escalation matrix {where}: needs ack_within (a later level follows)"
                )
            levels.append(Level(refs, window))
        out[sev] = tuple(levels)
    if missing:
        raise ConfigurationError(
            f"escalation matrix: no levels for severity {missing[0]!r} "
            f"(write {missing[0]}: [] for none)"
        )
    return out


def _reminders(doc: _MatrixDoc) -> tuple[Reminder, ...]:
    out = []
    for n, r in enumerate(doc.reminders, 1):
        where = f"reminders[{n}]"
        refs = tuple(_target(t, doc.notifiers, where) for t in r.notify)
        if [r.at is not None, r.before is not None, r.overdue].count(True) != 1:
            raise ConfigurationError(f"escalation matrix {where}: give one of at, before, overdue")
        if r.at is not None:
            m = re.match(r"^(\d{1,2})%$", r.at.strip())
            if m is None or not 0 < int(m.group(1)) < 100:
                raise ConfigurationError(f"escalation matrix {where}: at is a share like 50%")
            out.append(Reminder(f"{m.group(1)}%", refs, fraction=int(m.group(1)) / 100))
        elif r.before is not None:
            out.append(Reminder(r.before.strip(), refs, before=duration(r.before, where)))
        else:
            out.append(Reminder("overdue", refs, overdue=True))
    labels = [r.label for r in out]
    if len(set(labels)) != len(labels):
        raise ConfigurationError("escalation matrix: a reminder threshold is listed twice")
    return tuple(out)


NotifierCheck = Callable[[Mapping[str, Any]], object]


def _check_notifiers(doc: _MatrixDoc, check: NotifierCheck | None) -> None:
    for name, spec in doc.notifiers.items():
        if name == "monitor" or not re.match(r"^[a-z0-9][a-z0-9_-]{0,62}$", name):
            raise ConfigurationError(
                f"escalation matrix: notifier name {name!r} must be a-z, 0-9, - or _ "
                "(and not 'monitor')"
            )
        try:
            if check is not None:
                check(spec)
        except PrivaultError as exc:
            raise ConfigurationError(f"escalation matrix notifiers.{name}: {exc}") from None


def parse_matrix(
    text: str, source: str = "escalation matrix", *, check_notifier: NotifierCheck | None = None
) -> Matrix:
    """Parse and validate a matrix document; ``check_notifier`` validates notifier options.

    Raises:
        ConfigurationError: naming the offending key, severity, role or notifier (never values).
    """
    try:
        raw = yaml.safe_load(text) or {}
    except yaml.YAMLError:
        raise ConfigurationError(f"{source} is not valid YAML") from None
    try:
        doc = _MatrixDoc.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "document"
        raise ConfigurationError(f"bad {source} option {where}: {first['msg']}") from None
    _check_notifiers(doc, check_notifier)
    for who in doc.contacts:
        if not who.startswith("user:"):
            raise ConfigurationError(f"escalation matrix contacts: {who!r} is not user:NAME")
    return Matrix(
        MappingProxyType(_levels(doc)),
        _reminders(doc),
        MappingProxyType({k: MappingProxyType(v) for k, v in doc.notifiers.items()}),
        MappingProxyType({k: v.email for k, v in doc.contacts.items()}),
        doc.mail.model_dump() if doc.mail else None,
        doc.include_title,
    )


def shipped_text() -> str:
    """The matrix shipped with privault (YAML)."""
    return resources.files("privault.incidents").joinpath("escalation.yaml").read_text()


def load_matrix(path: Path | None, *, check_notifier: NotifierCheck | None = None) -> Matrix:
    """The matrix of ``path`` if it exists, else the shipped one.

    Raises:
        ConfigurationError: the file is not a valid matrix.
    """
    if path is not None and path.is_file():
        text, source = path.read_text(encoding="utf-8"), str(path)
    else:
        text, source = shipped_text(), "shipped escalation matrix"
    return parse_matrix(text, source, check_notifier=check_notifier)
