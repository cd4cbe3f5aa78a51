"""The control catalogue, shipped as YAML data in the package."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from privault.core.errors import InvalidInput

FRAMEWORKS: tuple[str, ...] = ("gdpr", "ccpa", "hipaa", "pci-dss")
FRAMEWORK_NAMES = {
    "gdpr": "GDPR",
    "ccpa": "CCPA/CPRA",
    "hipaa": "HIPAA Security Rule",
    "pci-dss": "PCI DSS v4.0",
}
SEVERITIES = {"high": 3, "medium": 2, "low": 1}


@dataclass(frozen=True, slots=True)
class Control:
    """One control: what it asks, what it maps to, and the check that tests it."""

    id: str
    title: str
    description: str
    severity: str
    check: str
    requirements: dict[str, tuple[str, ...]]

    @property
    def weight(self) -> int:
        """The control's weight in the risk score."""
        return SEVERITIES[self.severity]


def framework(name: str) -> str:
    """Normalise a framework name.

    Raises:
        InvalidInput: for an unknown framework.

    """
    key = name.strip().lower().replace("_", "-")
    key = {"pci": "pci-dss", "pcidss": "pci-dss", "cpra": "ccpa"}.get(key, key)
    if key not in FRAMEWORKS:
        raise InvalidInput(f"unknown framework {name!r}; valid: {', '.join(FRAMEWORKS)}")
    return key


def _control(raw: dict[str, Any]) -> Control:
    reqs = raw.get("requirements") or {}
    unknown = set(reqs) - set(FRAMEWORKS)
    if unknown or raw.get("severity") not in SEVERITIES:
        raise InvalidInput(f"control {raw.get('id')!r}: bad framework or severity")
    return Control(
        id=str(raw["id"]),
        title=str(raw["title"]),
        description=str(raw["description"]),
        severity=str(raw["severity"]),
        check=str(raw["check"]),
        requirements={k: tuple(str(r) for r in v) for k, v in reqs.items()},
    )


def parse_catalogue(text: str) -> tuple[Control, ...]:
    """Controls from YAML text.

    Raises:
        InvalidInput: malformed catalogue or duplicate ids.

    """
    try:
        doc = yaml.safe_load(text)
        controls = tuple(_control(c) for c in doc["controls"])
    except (yaml.YAMLError, KeyError, TypeError) as exc:
        raise InvalidInput(f"control catalogue: {type(exc).__name__}") from None
    if len({c.id for c in controls}) != len(controls):
        raise InvalidInput("control catalogue: duplicate control id")
    return controls


def load_catalogue() -> tuple[Control, ...]:
    """The catalogue shipped with privault."""
    text = resources.files(__package__).joinpath("data/controls.yaml").read_text("utf-8")
    return parse_catalogue(text)


def controls_for(controls: tuple[Control, ...], name: str | None) -> tuple[Control, ...]:
    """The controls mapped to framework ``name`` (all of them for None)."""
    if name is None:
        return controls
    key = framework(name)
    return tuple(c for c in controls if c.requirements.get(key))
