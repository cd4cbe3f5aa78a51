"""Link tokens and refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from privault.core.errors import NotFound
from privault.core.secret import Secret
from privault.sharing import links

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _state(**over: object) -> links.LinkState:
    base: dict[str, object] = {
        "expires_at": NOW + timedelta(days=1),
        "revoked_at": None,
        "max_downloads": None,
        "downloads": 0,
        "file_expires_at": NOW + timedelta(days=2),
        "file_revoked_at": None,
        "file_destroyed_at": None,
    }
    return links.LinkState(**(base | over))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("over", "reason"),
    [
        ({}, None),  # a fresh link is usable
        ({"expires_at": NOW}, "expired"),  # expiry is exclusive
        ({"file_expires_at": NOW - timedelta(seconds=1)}, "expired"),  # the file expired first
        ({"revoked_at": NOW}, "revoked"),  # the link was revoked
        ({"file_revoked_at": NOW}, "revoked"),  # the whole file was revoked
        ({"max_downloads": 2, "downloads": 2}, "exhausted"),  # no downloads left
        ({"max_downloads": 2, "downloads": 1}, None),  # one left
        ({"file_destroyed_at": NOW, "revoked_at": NOW}, "destroyed"),  # destruction wins
    ],
)
def test_refusal(over: dict[str, object], reason: str | None) -> None:
    assert links.refusal(_state(**over), NOW) == reason


def test_tokens() -> None:
    token, digest = links.new_token("shl_abc")
    link_id, secret = links.parse_token(token)
    assert link_id == "shl_abc" and links.secret_matches(secret, digest)
    assert not links.secret_matches(secret + "x", digest)
    for bad in ("", "shl_abc", "abc.def", "shl_abc."):
        with pytest.raises(NotFound):
            links.parse_token(Secret(bad))


def test_recipients_and_codes() -> None:
    key = b"k" * 32
    assert links.recipient_hmac(key, " Jane@Example.org ") == links.recipient_hmac(
        key, "jane@example.org"
    )
    code = links.new_code().reveal()
    assert len(code) == 6 and code.isdigit()
    assert links.code_digest(key, "l", "r", code) != links.code_digest(key, "l2", "r", code)
