"""The escalation matrix: the shipped one is valid; every mistake is named, never a value."""

from __future__ import annotations

from datetime import timedelta

import pytest

from privault.core.errors import ConfigurationError
from privault.incidents.matrix import load_matrix, parse_matrix, shipped_text
from privault.monitor.notifiers import build_notifier

REST = "high: []\n  medium: []\n  low: []"
SIX = "{before: 6h, notify: [role:dpo]}"


def doc(critical: str, extra: str = "") -> str:
    return f"{extra}\nseverities:\n  critical: {critical}\n  {REST}\n"


def test_shipped_matrix_is_valid_and_escalates_every_severity() -> None:
    m = parse_matrix(shipped_text(), check_notifier=build_notifier)
    assert set(m.levels) == {"low", "medium", "high", "critical"}
    assert all(m.levels[s] for s in m.levels)
    assert m.levels["critical"][0].ack_within == timedelta(minutes=15)
    assert [r.label for r in m.reminders] == ["50%", "24h", "6h", "overdue"]
    assert not m.include_title
    assert load_matrix(None) == m


def test_a_full_matrix() -> None:
    m = parse_matrix(
        doc(
            "[{notify: [role:lead, user:ciso], ack_within: 15m}, {notify: [notifier:soc]}]",
            "notifiers: {soc: {type: webhook, url: 'https://hooks.example.test/x'}}\n"
            "contacts: {user:ciso: {email: ciso@example.test}}\n"
            "mail: {host: 127.0.0.1, port: 2525}\n"
            "reminders: [{before: 2d, notify: [role:dpo]}]",
        ),
        check_notifier=build_notifier,
    )
    first, last = m.levels["critical"]
    assert first.notify == ("role:lead", "user:ciso") and first.ack_within == timedelta(minutes=15)
    assert last.ack_within is None and m.contacts == {"user:ciso": "ciso@example.test"}
    assert m.reminders[0].before == timedelta(days=2) and m.mail is not None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # an unknown severity, and a missing one
        ("severities: {urgent: []}", "unknown severity 'urgent'"),
        ("severities: {critical: []}", "no levels for severity 'low'"),
        # an unknown team role, notifier, or target kind
        (doc("[{notify: [role:boss]}]"), "unknown team role 'boss'"),
        (doc("[{notify: [notifier:pager]}]"), "unknown notifier 'pager'; defined: monitor"),
        (doc("[{notify: [pager]}]"), "targets are role:NAME, user:NAME or notifier:NAME"),
        # a level that is not the last needs a window; windows are durations
        (doc("[{notify: [role:lead]}, {notify: [role:dpo]}]"), r"critical\[1\]: needs ack_within"),
        (doc("[{notify: [role:lead], ack_within: soon}]"), "durations look like 15m"),
        (doc("[{notify: [role:lead], ack_within: 0m}]"), "durations look like 15m"),
        # unknown keys, empty levels
        (doc("[{notify: [role:lead], wait: 5m}]"), "severities.critical.0.wait"),
        (doc("[{notify: []}]"), "severities.critical.0.notify"),
        # reminders: exactly one of at / before / overdue, shares within (0, 100)
        (doc("[]", "reminders: [{at: 50%, before: 6h, notify: [role:lead]}]"), "one of at, before"),
        (doc("[]", "reminders: [{at: 150%, notify: [role:lead]}]"), "a share like 50%"),
        (doc("[]", "reminders: [{overdue: true, notify: [role:x]}]"), "unknown team role 'x'"),
        (doc("[]", f"reminders: [{SIX}, {SIX}]"), "listed twice"),
        # contacts are users with an address; notifier options are checked
        (doc("[]", "contacts: {role:lead: {email: a@b.test}}"), "is not user:NAME"),
        (doc("[]", "contacts: {user:a: {email: nope}}"), "contacts.user:a.email"),
        (doc("[]", "notifiers: {monitor: {type: syslog}}"), "not 'monitor'"),
        (doc("[]", "notifiers: {x: {type: pager}}"), "notifiers.x: unknown notifier 'pager'"),
        (doc("[]", "notifiers: {x: {type: email}}"), "notifiers.x: bad email notifier option"),
        ("severities: [", "is not valid YAML"),
    ],
)  # fmt: skip
def test_mistakes_are_named(text: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        parse_matrix(text, check_notifier=build_notifier)


def test_errors_never_quote_values() -> None:
    secret = "https://hooks.example.test/T000/B000/" + "x" * 24
    with pytest.raises(ConfigurationError) as caught:
        parse_matrix(doc("[]", f"notifiers: {{x: {{type: webhook, url: '{secret}', style: no}}}}"),
                     check_notifier=build_notifier)  # fmt: skip
    assert secret not in str(caught.value)
