"""Password and passphrase generator (``secrets`` only), with entropy estimates.

Passphrases draw from ``data/words.txt``: a few thousand common English words
written for privault (public domain), 3-9 lowercase letters each, no
duplicates; :func:`wordlist` checks that when it loads the file.
"""

from __future__ import annotations

import functools
import math
import secrets
import string
from dataclasses import dataclass
from importlib import resources

from privault.core.errors import ConfigurationError, InvalidInput
from privault.core.secret import Secret

SYMBOLS = "!#$%&()*+,-./:;<=>?@[]^_{}~"
AMBIGUOUS = set("Il1O0o|`'\"")
CLASSES = {
    "lower": string.ascii_lowercase,
    "upper": string.ascii_uppercase,
    "digits": string.digits,
    "symbols": SYMBOLS,
}
MIN_WORDS = 1024


@dataclass(frozen=True, slots=True)
class Generated:
    """A generated secret and its entropy in bits."""

    value: Secret[str]
    bits: float


@functools.cache
def wordlist() -> tuple[str, ...]:
    """The shipped word list (loaded once).

    Raises:
        ConfigurationError: the list is damaged (too short or malformed).
    """
    text = resources.files("privault.credentials").joinpath("data/words.txt").read_text("utf-8")
    words = tuple(dict.fromkeys(w.strip() for w in text.splitlines() if w.strip() and w[0] != "#"))
    if len(words) < MIN_WORDS or not all(w.isalpha() and w.islower() for w in words):
        raise ConfigurationError("the passphrase word list is damaged")
    return words


def password(
    length: int = 20, classes: tuple[str, ...] = tuple(CLASSES), avoid_ambiguous: bool = False
) -> Generated:
    """A random password with at least one character of each class.

    Raises:
        InvalidInput: bad length or class names.
    """
    unknown = set(classes) - set(CLASSES)
    if unknown or not classes:
        raise InvalidInput(f"character classes are {', '.join(CLASSES)}")
    if not max(8, len(classes)) <= length <= 256:
        raise InvalidInput("password length must be between 8 and 256")
    pools = [
        "".join(c for c in CLASSES[n] if not (avoid_ambiguous and c in AMBIGUOUS)) for n in classes
    ]
    alphabet = "".join(pools)
    chars = [secrets.choice(pool) for pool in pools]
    chars += [secrets.choice(alphabet) for _ in range(length - len(chars))]
    # Shuffle so the guaranteed characters do not sit at the front.
    for i in range(len(chars) - 1, 0, -1):
        j = secrets.randbelow(i + 1)
        chars[i], chars[j] = chars[j], chars[i]
    return Generated(Secret("".join(chars)), length * math.log2(len(alphabet)))


def passphrase(
    words: int = 6, separator: str = "-", capitalize: bool = False, number: bool = False
) -> Generated:
    """A passphrase of random words from the shipped list.

    Raises:
        InvalidInput: fewer than 4 or more than 20 words.
    """
    if not 4 <= words <= 20:
        raise InvalidInput("a passphrase needs 4 to 20 words")
    pool = wordlist()
    chosen = [secrets.choice(pool) for _ in range(words)]
    if capitalize:
        chosen = [w.capitalize() for w in chosen]
    bits = words * math.log2(len(pool))
    if number:
        chosen[secrets.randbelow(words)] += str(secrets.randbelow(10))
        bits += math.log2(10 * words)
    return Generated(Secret(separator.join(chosen)), bits)
