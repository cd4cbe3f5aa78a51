"""Background jobs (scans, masked copies): their rows and states.

A job row holds who started what for which tenant, its state and progress,
and a summary of its result: names, counts and types, never a data value.
"""

from __future__ import annotations

from privault.jobs.repository import ACTIVE, KINDS, STATES, JobRow

__all__ = ["ACTIVE", "KINDS", "STATES", "JobRow"]
