"""The password and passphrase generator."""

from __future__ import annotations

import string

import pytest

from privault.core.errors import InvalidInput
from privault.credentials import generator


@pytest.mark.parametrize(
    ("length", "classes"),
    [
        (20, ("lower", "upper", "digits", "symbols")),  # the default mix
        (8, ("digits",)),  # a PIN-like password
        (64, ("lower", "digits")),  # long, two classes
    ],
)
def test_password_has_every_class(length: int, classes: tuple[str, ...]) -> None:
    for _ in range(50):
        gen = generator.password(length, classes)
        value = gen.value.reveal()
        assert len(value) == length
        for name in classes:
            assert any(c in generator.CLASSES[name] for c in value)
        allowed = "".join(generator.CLASSES[n] for n in classes)
        assert set(value) <= set(allowed)
    assert gen.bits > length * 3


def test_ambiguous_characters_can_be_avoided() -> None:
    value = generator.password(200, avoid_ambiguous=True).value.reveal()
    assert not set(value) & generator.AMBIGUOUS


@pytest.mark.parametrize(
    "kwargs",
    [
        {"length": 7},  # too short
        {"length": 300},  # too long
        {"classes": ("emoji",)},  # unknown class
        {"classes": ()},  # no class
    ],
)
def test_bad_password_options(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        generator.password(**kwargs)  # type: ignore[arg-type]


def test_wordlist_and_passphrase() -> None:
    words = generator.wordlist()
    assert len(words) >= 2000 and len(set(words)) == len(words)
    assert all(3 <= len(w) <= 9 and set(w) <= set(string.ascii_lowercase) for w in words)
    gen = generator.passphrase(6, separator=" ")
    parts = gen.value.reveal().split(" ")
    assert len(parts) == 6 and all(p in words for p in parts)
    assert gen.bits > 66  # 6 words of > 2,000
    numbered = generator.passphrase(5, capitalize=True, number=True).value.reveal()
    assert any(c.isdigit() for c in numbered) and numbered[0].isupper()
    with pytest.raises(InvalidInput):
        generator.passphrase(3)
    assert "Secret" in repr(gen) and gen.value.reveal() not in repr(gen)
