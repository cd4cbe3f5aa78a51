"""Dataset category (master, transactional, reference, freeform) and sensitivity.

Rules, each leaving a reason a person can check:

* freeform: a document or log, or a table whose columns are mostly free text;
* master: one row per person: two or more contact columns (name, e-mail,
  phone, address), and a unique key, e.g. a customer list;
* transactional: timestamps, amounts and keys of other tables, e.g. orders;
* reference: everything else: lookup tables, product lists, segments.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from privault.discovery._types import ColumnResult
from privault.discovery.classify import is_text
from privault.discovery.names import is_identifier_name, normalize
from privault.discovery.profile import ColumnStats

__all__ = ["SENSITIVITY", "categorize", "sensitivity"]

CONTACT = frozenset({"PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "LOCATION"})
_AMOUNT_WORDS = (
    "amount", "total", "price", "sum", "cost", "fee", "tax", "vat", "qty", "quantity", "balance",
    "betrag", "summe", "preis", "montant", "prix", "importe", "precio", "bedrag", "prijs",
    "importo", "prezzo", "revenue", "net", "gross",
)  # fmt: skip
_HIGH = frozenset(
    {"CREDIT_CARD", "US_SSN", "IBAN_CODE", "US_PASSPORT", "US_DRIVER_LICENSE", "US_BANK_NUMBER",
     "UK_NHS", "UK_NINO", "CRYPTO", "SECRET", "MEDICAL_LICENSE"}
)  # fmt: skip
_MEDIUM = frozenset(
    {"PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "LOCATION", "DATE_TIME", "IP_ADDRESS", "NRP"}
)
#: Sensitivity levels, least first.
SENSITIVITY: tuple[str, ...] = ("none", "low", "medium", "high")


def sensitivity(types: Iterable[str]) -> str:
    """Return the sensitivity of data holding ``types`` (the most sensitive wins)."""
    kinds = set(types)
    if kinds & _HIGH:
        return "high"
    if kinds & _MEDIUM:
        return "medium"
    return "low" if kinds else "none"


def _share(count: float, stats: ColumnStats) -> float:
    return stats.ratio(count)


def _is_amount(col: ColumnResult, stats: ColumnStats) -> bool:
    if _share(stats.decimals, stats) >= 0.8:
        return True
    words = normalize(col.name).split("_")
    return _share(stats.numeric, stats) >= 0.8 and any(
        w.startswith(a) for w in words for a in _AMOUNT_WORDS
    )


def _is_timestamp(col: ColumnResult, stats: ColumnStats) -> bool:
    return col.pii_type != "DATE_TIME" and _share(stats.dates, stats) >= 0.8


def categorize(
    columns: Sequence[ColumnResult],
    stats: Mapping[str, ColumnStats],
    *,
    document: bool,
) -> tuple[str, tuple[str, ...]]:
    """Return the category of a dataset and the reasons for it."""
    if document:
        return "freeform", ("free text (a document or log)",)
    texts = [c.name for c in columns if is_text(stats[c.name])]
    if columns and len(texts) * 2 >= len(columns):
        return "freeform", (f"{len(texts)} of {len(columns)} columns are free text",)
    contact = [c.name for c in columns if c.pii_type in CONTACT]
    keys = [c.name for c in columns if is_identifier_name(c.name)]
    unique_key = [k for k in keys if stats[k].distinct >= 0.99]
    foreign = [k for k in keys if k not in unique_key]
    times = [c.name for c in columns if _is_timestamp(c, stats[c.name])]
    amounts = [c.name for c in columns if _is_amount(c, stats[c.name])]
    master = min(len(contact), 3) + (1 if unique_key else 0)
    trans = 1.5 * bool(times) + 1.5 * bool(amounts) + 1.0 * bool(foreign)
    if len(contact) >= 2 and master >= trans:
        why = [f"contact fields: {', '.join(contact[:4])}"]
        why += [f"unique key {unique_key[0]}: one row per subject"] if unique_key else []
        return "master", tuple(why)
    if trans >= 2.5:
        why = [f"timestamps: {', '.join(times[:3])}"] if times else []
        why += [f"amounts: {', '.join(amounts[:3])}"] if amounts else []
        why += [f"keys of other tables: {', '.join(foreign[:3])}"] if foreign else []
        return "transactional", tuple(why)
    return "reference", (_reference_reason(contact, times, amounts),)


def _reference_reason(contact: list[str], times: list[str], amounts: list[str]) -> str:
    if len(contact) < 2 and not (times and amounts):
        return "no per-person contact fields and no timestamped amounts: lookup or list data"
    return "neither a per-person list nor timestamped transactions"
