"""Data-subject requests: kinds, states and the transitions between them.

```
open ──▶ verifying ──verify──▶ verified ──start──▶ in_progress ──complete──▶ completed
             │                     │                    │
             └──────reject─────────┴───────reject───────┴──────▶ rejected
```

Identity is verified before anything is done for a request. A request in
progress may be advanced again (the work is idempotent: an erasure that
failed half-way is retried). Closed requests (completed, rejected) move no more.
"""

from __future__ import annotations

from privault.core.errors import Conflict, InvalidInput

KINDS: tuple[str, ...] = ("access", "rectification", "erasure", "restriction", "opt_out_sale")
STATES: tuple[str, ...] = ("verifying", "verified", "in_progress", "completed", "rejected")
CLOSED = frozenset({"completed", "rejected"})
VERIFICATION_METHODS: tuple[str, ...] = (
    "account-login",
    "email-link",
    "id-document",
    "knowledge-questions",
    "authorized-agent",
    "in-person",
)

_TRANSITIONS: dict[tuple[str, str], str] = {
    ("verifying", "verify"): "verified",
    ("verified", "start"): "in_progress",
    ("in_progress", "start"): "in_progress",
    ("in_progress", "complete"): "completed",
    ("verifying", "reject"): "rejected",
    ("verified", "reject"): "rejected",
    ("in_progress", "reject"): "rejected",
}


def check_kind(kind: str) -> str:
    """Validate a request kind.

    Raises:
        InvalidInput: an unknown kind (the message lists the valid ones).

    """
    normal = kind.replace("-", "_").lower()
    if normal not in KINDS:
        raise InvalidInput(f"unknown request kind {kind!r}; valid: {', '.join(KINDS)}")
    return normal


def check_method(method: str) -> str:
    """Validate an identity-verification method.

    Raises:
        InvalidInput: an unknown method.

    """
    if method not in VERIFICATION_METHODS:
        raise InvalidInput(
            f"unknown verification method {method!r}; valid: {', '.join(VERIFICATION_METHODS)}"
        )
    return method


def transition(state: str, action: str) -> str:
    """The state after ``action`` in ``state``.

    Raises:
        Conflict: the action is not allowed in this state.

    """
    try:
        return _TRANSITIONS[(state, action)]
    except KeyError:
        raise Conflict(f"cannot {action} a request that is {state}") from None
