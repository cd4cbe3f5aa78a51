"""FF1 format-preserving encryption, exactly as NIST SP 800-38G (Algorithms 7 and 8).

FF1 is a ten-round Feistel permutation of the strings of ``n`` numerals in base
``radix``, keyed by an AES key and varied by a public *tweak*. Its round
function is ``PRF(P || Q)``: CBC-MAC (zero IV) under AES, where ``P`` is one
block fixed by ``(radix, u, n, t)`` and ``Q`` is
``T || 0^((-t-b-1) mod 16) || [i]^1 || [NUM_radix(B)]^b``.

Invariants:

* **Domain rule.** ``n >= 2`` and ``radix ** n >= 1_000_000`` (SP 800-38G
  Rev. 1 section 5.2, kept by the Rev. 2 draft). Below that size the
  published attacks on small-domain Feistel ciphers recover the codebook, so
  :class:`FF1` refuses such inputs with :class:`InvalidInput`.
* **No value ever reaches an error message.** Plaintexts and ciphertexts are
  customer data: messages name the rule that was broken, never the input.
* **Numerals are integers.** A string of numerals is handled as
  ``NUM_radix(X)``. The spec's STR/NUM round trip inside each round is the
  identity on integers, so the rounds run on plain Python ints and only the
  entry and exit convert to and from strings.
* **Precomputation.** Everything fixed by ``(n, len(T))`` (split, byte sizes,
  moduli, ``CIPH(P)``) and by ``(n, T)`` (the CBC-MAC state after the tweak-only
  blocks of ``Q``) is computed once per instance and kept in bounded caches.
  Each round then costs one AES call for the common sizes (``b <= 12``, that is
  up to 57 decimal digits).

FF3 and FF3-1 are deliberately absent (withdrawn by NIST).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from privault.core.errors import InvalidInput
from privault.crypto._primitives import AesBlock
from privault.crypto.ff1_batch import feistel_many

__all__ = ["ALPHABET", "FF1", "MAX_LENGTH", "MAX_RADIX", "MAX_TWEAK_BYTES", "MIN_DOMAIN"]

ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
"""Numerals in order: radix ``r`` uses the first ``r`` characters."""
MAX_RADIX = len(ALPHABET)
MIN_DOMAIN = 1_000_000
"""Smallest allowed domain ``radix ** n`` (SP 800-38G Rev. 1)."""
MAX_LENGTH = 4096
"""Longest input in numerals (below CPython's 4300-digit int/str conversion limit)."""
MAX_TWEAK_BYTES = 4096
"""Longest tweak accepted (the spec allows up to 2**32 - 1 bytes)."""

_ROUNDS = 10
_CACHE_LIMIT = 512
_FORMAT_CODES = {2: "b", 8: "o", 10: "d", 16: "x"}
_K = TypeVar("_K")
_V = TypeVar("_V")


@dataclass(frozen=True, slots=True)
class _Shape:
    """What FF1 derives from ``(n, t)`` alone (steps 1-5 of Algorithm 7)."""

    u: int
    v: int
    b: int
    pad: int  # zero bytes after T in Q
    tail_len: int  # bytes of Q that each round must MAC: those holding [i] and NUM(B)
    extra_blocks: int  # ceil(d / 16) - 1 further AES calls to stretch R into S
    drop_bits: int  # bits of R || CIPH(R ^ 1) || ... beyond the d bytes of S
    mod_u: int
    mod_v: int
    p_state: int  # CBC-MAC state after P, i.e. CIPH(P)

    @property
    def single_block(self) -> bool:
        """Whether each round is one AES call: Q's round bytes fit one block, S fits R."""
        return self.tail_len == 16 and self.extra_blocks == 0


@dataclass(frozen=True, slots=True)
class _Plan:
    """A shape plus what the tweak bytes add: the MAC state before the round bytes."""

    shape: _Shape
    state: int  # CBC-MAC state after P and the tweak-only blocks of Q
    head: int  # the bytes of Q between those blocks and [i], shifted into place
    # For single-block shapes: (state ^ head ^ [i] in place, radix**m) for rounds 0..9.
    schedule: tuple[tuple[int, int], ...]


class FF1:
    """FF1 (NIST SP 800-38G) over the first ``radix`` numerals of :data:`ALPHABET`.

    One instance holds one AES key; reuse it. Instances keep small bounded
    caches, so the first call for a new length or tweak is slower than the rest.

    Args:
        key: AES key of 16, 24 or 32 bytes.
        radix: base of the numerals, 2 to 36.

    Raises:
        InvalidInput: for a bad key size or radix.

    """

    __slots__ = ("_aes", "_fmt", "_min_length", "_numerals", "_plans", "_radix", "_shapes")

    def __init__(self, key: bytes, radix: int = 10) -> None:
        if isinstance(radix, bool) or not isinstance(radix, int) or not 2 <= radix <= MAX_RADIX:
            raise InvalidInput(f"FF1 radix must be an integer from 2 to {MAX_RADIX}")
        self._aes = AesBlock(key)
        self._radix = radix
        self._numerals = frozenset(ALPHABET[:radix])
        self._fmt = _FORMAT_CODES.get(radix)
        min_length = 2
        while radix**min_length < MIN_DOMAIN:
            min_length += 1
        self._min_length = min_length
        self._shapes: dict[tuple[int, int], _Shape] = {}
        self._plans: dict[tuple[int, bytes], _Plan] = {}

    def __repr__(self) -> str:
        return f"FF1(radix={self._radix}, key=***)"

    @property
    def radix(self) -> int:
        """The base of the numerals."""
        return self._radix

    @property
    def min_length(self) -> int:
        """The fewest numerals an input may have (``radix ** n >= MIN_DOMAIN``)."""
        return self._min_length

    def encrypt(self, x: str, tweak: bytes = b"") -> str:
        """Encrypt a string of numerals; the result has the same length and alphabet.

        Raises:
            InvalidInput: if the length breaks the domain rule, a character is not a
                numeral of this radix, or the tweak is not bytes or too long.

        """
        plan = self._plan(len(x), tweak)
        a, b = self._feistel(plan, *self._split(x, plan.shape), decrypt=False)
        return self._str(a, plan.shape.u) + self._str(b, plan.shape.v)

    def decrypt(self, x: str, tweak: bytes = b"") -> str:
        """Invert :meth:`encrypt` under the same key, radix and tweak.

        Raises:
            InvalidInput: on the same conditions as :meth:`encrypt`.

        """
        plan = self._plan(len(x), tweak)
        a, b = self._feistel(plan, *self._split(x, plan.shape), decrypt=True)
        return self._str(a, plan.shape.u) + self._str(b, plan.shape.v)

    def encrypt_int(self, value: int, length: int, tweak: bytes = b"") -> int:
        """Encrypt ``NUM_radix(X)`` for a string ``X`` of ``length`` numerals.

        This is :meth:`encrypt` without the string conversions, for callers
        that re-encrypt many times (cycle walking).

        Raises:
            InvalidInput: if ``length`` breaks the domain rule or ``value`` is not
                in ``range(radix ** length)``.

        """
        return self._int_op(value, length, tweak, decrypt=False)

    def decrypt_int(self, value: int, length: int, tweak: bytes = b"") -> int:
        """Invert :meth:`encrypt_int`.

        Raises:
            InvalidInput: on the same conditions as :meth:`encrypt_int`.

        """
        return self._int_op(value, length, tweak, decrypt=True)

    def encrypt_ints(
        self, values: Sequence[int], length: int, tweaks: Sequence[bytes]
    ) -> list[int]:
        """:meth:`encrypt_int` for many values at once, each with its own tweak.

        The rounds of all values run in lockstep with one AES call per round
        (:mod:`privault.crypto.ff1_batch`); the results equal the one-value ones.

        Raises:
            InvalidInput: on the conditions of :meth:`encrypt_int`, or when the
                number of tweaks differs from the number of values.
        """
        return feistel_many(self, values, length, tweaks, decrypt=False)

    def decrypt_ints(
        self, values: Sequence[int], length: int, tweaks: Sequence[bytes]
    ) -> list[int]:
        """Invert :meth:`encrypt_ints`.

        Raises:
            InvalidInput: on the same conditions as :meth:`encrypt_ints`.
        """
        return feistel_many(self, values, length, tweaks, decrypt=True)

    def encrypt_numerals(self, x: Sequence[int], tweak: bytes = b"") -> list[int]:
        """Encrypt a sequence of numerals given as ints in ``range(radix)``.

        Raises:
            InvalidInput: if a numeral is out of range or the length breaks the domain rule.

        """
        return self._numerals_op(x, tweak, decrypt=False)

    def decrypt_numerals(self, x: Sequence[int], tweak: bytes = b"") -> list[int]:
        """Invert :meth:`encrypt_numerals`.

        Raises:
            InvalidInput: on the same conditions as :meth:`encrypt_numerals`.

        """
        return self._numerals_op(x, tweak, decrypt=True)

    # -- the algorithm ---------------------------------------------------------------

    def _feistel(self, plan: _Plan, a: int, b: int, *, decrypt: bool) -> tuple[int, int]:
        """Step 6 of Algorithm 7 (or 8 when ``decrypt``) on ``NUM(A)``, ``NUM(B)``."""
        if plan.schedule:
            return self._feistel_single_block(plan, a, b, decrypt=decrypt)
        mods = (plan.shape.mod_u, plan.shape.mod_v)  # m = u for even rounds, v for odd
        prf = self._round_value
        if decrypt:
            for i in range(_ROUNDS - 1, -1, -1):
                a, b = (b - prf(plan, i, a)) % mods[i & 1], a
        else:
            for i in range(_ROUNDS):
                a, b = b, (a + prf(plan, i, b)) % mods[i & 1]
        return a, b

    def _feistel_single_block(
        self, plan: _Plan, a: int, b: int, *, decrypt: bool
    ) -> tuple[int, int]:
        """Step 6 unrolled for single-block shapes (``b <= 12``, the hot path).

        The round's MAC input block is ``state ^ (head | [i] | NUM(B))``; the
        first two terms are precomputed per round in ``plan.schedule``.
        """
        enc = self._aes.encrypt_block
        drop = plan.shape.drop_bits
        if decrypt:
            for base, mod in reversed(plan.schedule):
                r = int.from_bytes(enc((base ^ a).to_bytes(16, "big")), "big")
                a, b = (b - (r >> drop)) % mod, a
        else:
            for base, mod in plan.schedule:
                r = int.from_bytes(enc((base ^ b).to_bytes(16, "big")), "big")
                a, b = b, (a + (r >> drop)) % mod
        return a, b

    def _round_value(self, plan: _Plan, i: int, num: int) -> int:
        """Compute ``y = NUM(S)`` (steps 6.i-6.iv) for round ``i`` where ``NUM_radix(B) = num``.

        Only the last ``tail_len`` bytes of ``Q`` depend on the round, so the
        MAC resumes from the cached state. ``head``, ``[i]`` and ``NUM(B)``
        occupy disjoint bit ranges, so OR assembles the tail.
        """
        shape = plan.shape
        enc = self._aes.encrypt_block
        tail = plan.head | (i << (8 * shape.b)) | num
        if shape.tail_len == 16:
            r = int.from_bytes(enc((plan.state ^ tail).to_bytes(16, "big")), "big")
        else:
            data = tail.to_bytes(shape.tail_len, "big")
            r = plan.state
            for off in range(0, shape.tail_len, 16):
                block = r ^ int.from_bytes(data[off : off + 16], "big")
                r = int.from_bytes(enc(block.to_bytes(16, "big")), "big")
        s = r
        for j in range(1, shape.extra_blocks + 1):  # S = R || CIPH(R ^ [j]^16) || ...
            s = (s << 128) | int.from_bytes(enc((r ^ j).to_bytes(16, "big")), "big")
        return s >> shape.drop_bits

    def _plan(self, n: int, tweak: bytes) -> _Plan:
        """Return the cached plan for ``(n, tweak)``; inputs are validated on a miss."""
        if not isinstance(tweak, bytes):  # before hashing: bytearray is unhashable
            raise InvalidInput("FF1 tweak must be bytes")
        key = (n, tweak)
        plan = self._plans.get(key)
        if plan is None:
            if len(tweak) > MAX_TWEAK_BYTES:
                raise InvalidInput(f"FF1 tweak is longer than {MAX_TWEAK_BYTES} bytes")
            shape = self._shape(n, len(tweak))
            q_fixed = tweak + bytes(shape.pad)
            cut = len(q_fixed) - (shape.tail_len - 1 - shape.b)
            state = shape.p_state
            for off in range(0, cut, 16):
                block = state ^ int.from_bytes(q_fixed[off : off + 16], "big")
                state = int.from_bytes(self._aes.encrypt_block(block.to_bytes(16, "big")), "big")
            head = int.from_bytes(q_fixed[cut:], "big") << (8 * (1 + shape.b))
            schedule: tuple[tuple[int, int], ...] = ()
            if shape.single_block:
                mods = (shape.mod_u, shape.mod_v)
                schedule = tuple(
                    (state ^ head ^ (i << (8 * shape.b)), mods[i & 1]) for i in range(_ROUNDS)
                )
            plan = _Plan(shape, state, head, schedule)
            _bounded_put(self._plans, key, plan)
        return plan

    def _shape(self, n: int, t: int) -> _Shape:
        """Return the cached :class:`_Shape` for ``(n, t)``, checking the domain rule."""
        shape = self._shapes.get((n, t))
        if shape is None:
            if not self._min_length <= n <= MAX_LENGTH:
                raise InvalidInput(
                    f"FF1 input must have {self._min_length} to {MAX_LENGTH} numerals in radix "
                    f"{self._radix} (domain radix**length must be at least {MIN_DOMAIN:,})"
                )
            shape = self._new_shape(n, t)
            _bounded_put(self._shapes, (n, t), shape)
        return shape

    def _new_shape(self, n: int, t: int) -> _Shape:
        """Run steps 1-5 of Algorithm 7 and compute ``CIPH(P)``."""
        r = self._radix
        u = n // 2
        v = n - u
        mod_u, mod_v = r**u, r**v
        # b = ceil(ceil(v * log2(radix)) / 8), computed exactly on integers.
        b = ((mod_v - 1).bit_length() + 7) // 8
        d = 4 * ((b + 3) // 4) + 4
        pad = (-t - b - 1) % 16
        blocks = (d + 15) // 16
        p = bytes((1, 2, 1)) + r.to_bytes(3, "big") + bytes((10, u % 256))
        p += n.to_bytes(4, "big") + t.to_bytes(4, "big")
        return _Shape(
            u=u,
            v=v,
            b=b,
            pad=pad,
            tail_len=(t + pad) % 16 + 1 + b,
            extra_blocks=blocks - 1,
            drop_bits=8 * (16 * blocks - d),
            mod_u=mod_u,
            mod_v=mod_v,
            p_state=int.from_bytes(self._aes.encrypt_block(p), "big"),
        )

    # -- conversions -----------------------------------------------------------------

    def _split(self, x: str, shape: _Shape) -> tuple[int, int]:
        """Validate ``x`` and return ``NUM_radix`` of its two halves (step 2)."""
        if not self._numerals.issuperset(x):
            raise InvalidInput(
                f"FF1 input has a character outside the radix-{self._radix} numerals "
                f"{ALPHABET[0]}..{ALPHABET[self._radix - 1]}"
            )
        return int(x[: shape.u], self._radix), int(x[shape.u :], self._radix)

    def _str(self, value: int, m: int) -> str:
        """``STR^m_radix(value)``: ``m`` numerals, most significant first."""
        if self._fmt is not None:
            return format(value, f"0{m}{self._fmt}")
        out: list[str] = []
        for _ in range(m):
            value, digit = divmod(value, self._radix)
            out.append(ALPHABET[digit])
        return "".join(reversed(out))

    def _int_op(self, value: int, length: int, tweak: bytes, *, decrypt: bool) -> int:
        plan = self._plan(length, tweak)
        mod_v = plan.shape.mod_v
        if not 0 <= value < plan.shape.mod_u * mod_v:
            raise InvalidInput("FF1 value is outside the domain radix**length")
        a, b = self._feistel(plan, *divmod(value, mod_v), decrypt=decrypt)
        return a * mod_v + b

    def _numerals_op(self, x: Sequence[int], tweak: bytes, *, decrypt: bool) -> list[int]:
        self._plan(len(x), tweak)  # check the length before doing O(n**2) arithmetic
        radix = self._radix
        value = 0
        for numeral in x:
            if isinstance(numeral, bool) or not isinstance(numeral, int):
                raise InvalidInput("FF1 numerals must be ints")
            if not 0 <= numeral < radix:
                raise InvalidInput(f"FF1 numeral outside range(0, {radix})")
            value = value * radix + numeral
        value = self._int_op(value, len(x), tweak, decrypt=decrypt)
        out = [0] * len(x)
        for k in range(len(x) - 1, -1, -1):
            value, out[k] = divmod(value, radix)
        return out


def _bounded_put(cache: dict[_K, _V], key: _K, value: _V) -> None:
    """Insert into a per-instance cache, emptying it first when full.

    Keys come from caller-chosen lengths and tweaks, so the caches must not grow
    without bound; clearing (rather than evicting one entry) is race-free.
    """
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[key] = value
