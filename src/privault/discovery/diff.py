"""What changed since the last scan of a dataset: the rescan report."""

from __future__ import annotations

from dataclasses import dataclass

from privault.discovery._types import DatasetResult

__all__ = ["Change", "StoredColumn", "StoredDataset", "diff_dataset"]


@dataclass(frozen=True, slots=True)
class StoredColumn:
    """A column as the data map last recorded it."""

    name: str
    pii_type: str | None
    freeform_pii: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StoredDataset:
    """A dataset as the data map last recorded it."""

    id: str
    name: str
    category: str
    sensitivity: str
    columns: dict[str, StoredColumn]


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between the data map and a new scan.

    Attributes:
        kind: ``new_dataset``, ``new_pii_column``, ``pii_type_changed``,
            ``pii_cleared``, ``new_freeform_pii``, ``category_changed`` or
            ``dataset_missing``.
        dataset: display path of the dataset.
        column: the column, when the change is about one.
        before: the old value (type, category), if any.
        after: the new value, if any.

    """

    kind: str
    dataset: str
    column: str | None = None
    before: str | None = None
    after: str | None = None

    def describe(self) -> str:
        """One line for people."""
        where = f"{self.dataset}" + (f" column {self.column}" if self.column else "")
        arrow = (
            f": {self.before or '-'} -> {self.after or '-'}" if self.before or self.after else ""
        )
        return f"{self.kind.replace('_', ' ')}: {where}{arrow}"


def diff_dataset(old: StoredDataset | None, new: DatasetResult) -> list[Change]:
    """Changes from ``old`` (None for a dataset never seen) to ``new``."""
    if old is None:
        return [Change("new_dataset", new.name, after=new.category)]
    out: list[Change] = []
    if old.category != new.category:
        out.append(Change("category_changed", new.name, None, old.category, new.category))
    for col in new.columns:
        prev = old.columns.get(col.name)
        before = prev.pii_type if prev else None
        if col.pii_type and before is None:
            out.append(Change("new_pii_column", new.name, col.name, None, col.pii_type))
        elif col.pii_type and before != col.pii_type:
            out.append(Change("pii_type_changed", new.name, col.name, before, col.pii_type))
        elif before and not col.pii_type:
            out.append(Change("pii_cleared", new.name, col.name, before, None))
        added = set(col.freeform_pii) - set(prev.freeform_pii if prev else ())
        if added:
            out.append(
                Change("new_freeform_pii", new.name, col.name, None, ",".join(sorted(added)))
            )
    return out
