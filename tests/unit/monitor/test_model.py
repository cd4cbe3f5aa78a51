"""Alert states: the allowed transitions and nothing else."""

from __future__ import annotations

import pytest

from privault.core.errors import Conflict, InvalidInput
from privault.monitor.model import STATES, check_transition, severity_rank

ALLOWED = {
    ("open", "acknowledged"),
    ("open", "resolved"),
    ("open", "false_positive"),
    ("acknowledged", "resolved"),
    ("acknowledged", "false_positive"),
}


@pytest.mark.parametrize("current", STATES)
@pytest.mark.parametrize("new", STATES)
def test_transition_table(current: str, new: str) -> None:
    if (current, new) in ALLOWED:
        check_transition(current, new)
    else:  # final states stay final; no going back to open
        with pytest.raises(Conflict):
            check_transition(current, new)


def test_unknown_state_and_severity() -> None:
    with pytest.raises(InvalidInput):
        check_transition("open", "closed")
    with pytest.raises(InvalidInput):
        severity_rank("extreme")
    assert severity_rank("critical") > severity_rank("high") > severity_rank("low")
