"""Leak-traceable copies: a keyed fingerprint in the fake values of one export.

Every masked copy made with a mark carries small, deterministic variations of
its ``fake`` values that only that export's key explains:

```
source value v ─► d = HMAC(project fake key, TYPE|v)          (as for any fake)
                 candidates: render(d), render(d₁), … render(d₁₅)
                   dᵢ keeps the leading bytes of d (first name, e-mail user and
                   domain, SSN area and group, card template …) and redraws the
                   rest (last name, e-mail number, serial, digits …)
                 pick the first candidate c with tag(export key, c) = 0
```

``tag`` is one bit of ``HMAC(export key, normalise(c))``. In the copy, every
marked cell carries tag 0 (only one value in 2¹⁶ finds no candidate and keeps
the plain fake); under any other key, each distinct value's tag is a fair,
independent coin. :mod:`privault.deid.fingerprint_detect` turns that into a
binomial test over a leaked sample, with a stated false-attribution bound.

Trade-off (documented in the README): the same source value maps to the same
fake *within* one export (joins and counts inside the copy survive), but two
marked exports of one source differ in roughly half of their fake values, so
joins *across* marked exports break on those columns. Unmarked copies keep
the project-wide consistency.

What is marked: only ``fake`` columns of tables. ``hash``, ``encrypt``, ``fpe``
and ``tokenize`` outputs must stay joinable or reversible and are never
varied; ``mask``, ``redact``, ``replace`` and ``generalize`` carry too little
entropy; fakes inside freeform (``detect``) text are not marked.

The export key is the caller's (the masking service derives it per export
from the key hierarchy); the library neither stores nor prints it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace

from privault.core.errors import InvalidInput
from privault.core.secret import Secret
from privault.crypto._primitives import HmacSha256, hkdf_sha256
from privault.deid.keys import MIN_KEY_BYTES, DeidKeys
from privault.deid.operators.fake import Fake
from privault.deid.report import MaskReport
from privault.deid.table import TablePlan

__all__ = ["VARIANTS", "ExportMark", "MarkedFake", "marked_columns", "normalize_cell"]

VARIANTS = 16
"""Candidates tried per value: a value finds no marked one with probability 2⁻¹⁶."""

#: PII type -> leading digest bytes every variant keeps (what stays recognisable).
_KEEP: dict[str, int] = {
    "PERSON": 2,  # first name kept, last name varies
    "EMAIL_ADDRESS": 6,  # user name and domain kept, the number varies
    "US_SSN": 3,  # area and group kept, serial varies
    "DATE_TIME": 3,  # the date moves by at most 255 days
    "IP_ADDRESS": 3,  # the last octet varies
    "MAC_ADDRESS": 5,  # the last byte varies
    "SECRET": 19,  # the last byte varies
}
_KEEP_TEMPLATED = 8  # the template (card brand, IBAN country, phone shape) is kept
_VARIANT_INFO = b"privault/deid/mark-variant\x00"
_NOT_ALNUM = re.compile(r"[\W_]+")


def normalize_cell(value: str) -> str:
    """The form a tag is computed over: case-folded letters and digits only.

    Re-saving a file (CSV to XLSX, JSONL to Parquet), re-spacing a phone
    number or changing case does not change it.
    """
    return _NOT_ALNUM.sub("", value.casefold())


class ExportMark:
    """The mark of one export, from its key (never stored, never printed).

    Args:
        export_key: at least 32 bytes, unique to the export.

    Raises:
        InvalidInput: a key shorter than 32 bytes.

    """

    __slots__ = ("_key_id", "_mac")

    def __init__(self, export_key: Secret[bytes]) -> None:
        material = export_key.reveal()
        if not isinstance(material, bytes) or len(material) < MIN_KEY_BYTES:
            raise InvalidInput(f"an export key must be at least {MIN_KEY_BYTES} bytes")
        self._mac = HmacSha256(hkdf_sha256(material, info=b"privault/deid/mark/v1"))
        key_id = hkdf_sha256(material, info=b"privault/deid/mark/key-id", length=16)
        self._key_id = key_id.hex()

    def __repr__(self) -> str:
        return f"ExportMark(key_id={self._key_id})"

    @property
    def key_id(self) -> str:
        """A domain-separated fingerprint of the key (safe to store; reveals nothing)."""
        return self._key_id

    def carries(self, value: str) -> bool:
        """True if ``value`` carries this mark (tag bit 0); a fair coin for others."""
        return self.carries_normalized(normalize_cell(value))

    def carries_normalized(self, norm: str) -> bool:
        """:meth:`carries` for a value already passed through :func:`normalize_cell`."""
        return not self._mac.digest(b"mark\x00" + norm.encode())[0] & 1

    def mark(self, plan: TablePlan, keys: DeidKeys | None) -> TablePlan:
        """The same plan with every ``fake`` column's operator marked.

        Args:
            plan: a plan from :func:`privault.deid.table.plan_table`.
            keys: the project keys the plan was bound with.

        """
        columns = tuple(
            replace(c, operator=MarkedFake(c.operator, self))
            if isinstance(c.operator, Fake) and not isinstance(c.operator, MarkedFake)
            else c
            for c in plan.columns
        )
        return TablePlan(plan.policy, columns, keys)


def marked_columns(report: MaskReport) -> tuple[str, ...]:
    """The columns of a copy made with a mark that carry it: its ``fake`` columns."""
    fakes = (c for c in report.columns if c.action == "operator")
    return tuple(c.column for c in fakes if c.rule.split("(")[0] == Fake.name)


def _variant(digest: bytes, index: int, keep: int) -> bytes:
    tail = hashlib.sha256(_VARIANT_INFO + bytes([index]) + digest).digest()
    return digest[:keep] + tail[: len(digest) - keep]


class MarkedFake(Fake):
    """A :class:`Fake` whose values carry an export's mark (same name, params, binding).

    Args:
        inner: the bound fake operator of the column.
        mark: the export's mark.

    """

    def __init__(self, inner: Fake, mark: ExportMark) -> None:
        super().__init__(inner.params, inner.binding)
        self._mark = mark
        self._keep = _KEEP.get(self.kind, _KEEP_TEMPLATED)

    def apply(self, value: str, subject: str | None = None) -> str:
        """The first candidate fake of ``value`` that carries the mark."""
        digest = self.digest(value)
        first = self.render(digest)
        if self._mark.carries(first):
            return first
        for index in range(1, VARIANTS):
            candidate = self.render(_variant(digest, index, self._keep))
            if self._mark.carries(candidate):
                return candidate
        return first  # 1 value in 2**16: unmarked, still the consistent fake
