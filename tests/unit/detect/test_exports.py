from __future__ import annotations

from types import ModuleType

import privault.detect as detect


def test_all_matches_public_names():
    public = {n for n in dir(detect) if not n.startswith("_") and n != "annotations"}
    modules = {n for n in public if isinstance(getattr(detect, n), ModuleType)}
    assert set(detect.__all__) == public - modules


def test_module_level_analyze_rules_only():
    found = detect.analyze("mail jane@example.com", rules_only=True)
    assert [(f.type, f.start, f.end) for f in found] == [("EMAIL_ADDRESS", 5, 21)]
    batch = list(detect.analyze_batch(["a@b.co", "none"], rules_only=True))
    assert [len(x) for x in batch] == [1, 0]
