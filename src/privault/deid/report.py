"""What a masked copy did: per column, per risk measure, per generalisation."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from privault.deid.kanon import KPlan, LevelLoss
from privault.deid.risk import RiskReport

__all__ = ["ColumnReport", "KReport", "MaskReport"]


@dataclass(frozen=True, slots=True)
class ColumnReport:
    """One column of a masked copy.

    Attributes:
        column: its name.
        action: ``operator``, ``detect``, ``keep`` or ``drop``.
        rule: the operator and its non-default parameters (``mask(keep_last=4)``).
        reason: why this rule: ``column rule``, ``pii type`` or ``unlisted``.
        entity: the PII type the rule was chosen for, if any.
        changed: cells whose value changed.
        entities: for ``detect`` columns, spans found per PII type.

    """

    column: str
    action: str
    rule: str
    reason: str
    entity: str | None
    changed: int
    entities: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class KReport:
    """How k-anonymity was reached and what it cost.

    Attributes:
        k: the k asked for.
        levels: per quasi-identifier, the generalisation level reached.
        suppressed_rows: rows suppressed because their class stayed below k.
        suppressed_share: the same as a share of the input rows.
        information_loss: mean of the per-column losses (0 exact, 1 all ``*``).
        suppression: ``rows`` (dropped: files) or ``values`` (kept with their
            quasi-identifiers as ``*``: databases, where rows may be referenced).

    """

    k: int
    levels: tuple[LevelLoss, ...]
    suppressed_rows: int
    suppressed_share: float
    information_loss: float
    suppression: str = "rows"

    @classmethod
    def of(cls, kplan: KPlan) -> KReport:
        """The report of a k-anonymity plan."""
        losses = tuple(kplan.losses())
        mean = sum(level.loss for level in losses) / len(losses) if losses else 0.0
        share = kplan.suppressed_rows / kplan.rows if kplan.rows else 0.0
        return cls(
            kplan.k, losses, kplan.suppressed_rows, round(share, 6), round(mean, 4),
            kplan.suppression,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class MaskReport:
    """The report of one masked copy."""

    source: str
    dest: str
    source_format: str
    dest_format: str
    rows_in: int
    rows_out: int
    columns: tuple[ColumnReport, ...]
    risk: RiskReport | None = None
    k_anonymity: KReport | None = None
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (no data values, only names, counts and rules)."""
        doc = asdict(self)
        if self.k_anonymity is not None:
            doc["k_anonymity"]["levels"] = [
                {**asdict(level), "loss": level.loss} for level in self.k_anonymity.levels
            ]
        if self.risk is not None:
            doc["risk"]["meets_k"] = self.risk.meets_k
        return doc
