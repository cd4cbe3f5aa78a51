"""Password policy: length, strength (zxcvbn), breached list, no reuse.

The breached list is zxcvbn's shipped frequency list of passwords from public
breaches; nothing is fetched at run time.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from privault.core.errors import InvalidInput
from privault.core.secret import Secret
from privault.crypto.kdf import verify_password

MIN_LENGTH = 12
MIN_SCORE = 3  # zxcvbn 0..4; 3 = "safely unguessable: moderate protection from offline attacks"
HISTORY = 5


@cache
def _breached() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def check_password(
    password: Secret[str], *, user_inputs: Iterable[str] = (), history: Iterable[str] = ()
) -> None:
    """Refuse a weak, breached or reused password.

    Args:
        password: the candidate.
        user_inputs: words tied to the user (username, name) that must not carry it.
        history: Argon2id hashes of the user's last passwords.

    Raises:
        InvalidInput: saying what is wrong (never repeating the password).
    """
    value = password.reveal()
    if len(value) < MIN_LENGTH:
        raise InvalidInput(f"the password must be at least {MIN_LENGTH} characters long")
    if value.lower() in _breached():
        raise InvalidInput("this password appears in lists of breached passwords")
    result = zxcvbn(value[:100], user_inputs=list(user_inputs))
    if result["score"] < MIN_SCORE:
        hint = result["feedback"].get("warning") or "add more unrelated words"
        raise InvalidInput(f"the password is too easy to guess ({hint})")
    if any(verify_password(old, password) for old in list(history)[:HISTORY]):
        raise InvalidInput(
            f"the password was used recently; choose one not among the last {HISTORY}"
        )
