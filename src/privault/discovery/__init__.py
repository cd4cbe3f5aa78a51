"""Discovery: find customer data in files, databases and buckets; keep a data map.

>>> from privault.discovery import scan, ScanOptions
>>> result = scan(["customers.csv"], ScanOptions(sample_size=5_000))  # doctest: +SKIP

See README.md in this package for the flow and the extension points.
"""

from __future__ import annotations

from privault.discovery._types import ColumnResult as ColumnResult
from privault.discovery._types import DatasetResult as DatasetResult
from privault.discovery._types import ProgressFn as ProgressFn
from privault.discovery._types import ScanIssue as ScanIssue
from privault.discovery._types import ScanOptions as ScanOptions
from privault.discovery._types import ScanResult as ScanResult
from privault.discovery._types import Table as Table
from privault.discovery.category import categorize as categorize
from privault.discovery.category import sensitivity as sensitivity
from privault.discovery.classify import classify_column as classify_column
from privault.discovery.connectors import CONNECTORS as CONNECTORS
from privault.discovery.connectors import plan_target as plan_target
from privault.discovery.detectors import DETECTORS as DETECTORS
from privault.discovery.detectors import ValueDetector as ValueDetector
from privault.discovery.diff import Change as Change
from privault.discovery.masking import mask_example as mask_example
from privault.discovery.names import name_hint as name_hint
from privault.discovery.profile import ColumnStats as ColumnStats
from privault.discovery.profile import Profiler as Profiler
from privault.discovery.readers import READERS as READERS
from privault.discovery.report import found_types as found_types
from privault.discovery.report import to_json as to_json
from privault.discovery.report import to_sarif as to_sarif
from privault.discovery.scanner import scan as scan
from privault.discovery.scanner import scan_table as scan_table

__all__ = [
    "CONNECTORS",
    "DETECTORS",
    "READERS",
    "Change",
    "ColumnResult",
    "ColumnStats",
    "DatasetResult",
    "Profiler",
    "ProgressFn",
    "ScanIssue",
    "ScanOptions",
    "ScanResult",
    "Table",
    "ValueDetector",
    "categorize",
    "classify_column",
    "found_types",
    "mask_example",
    "name_hint",
    "plan_target",
    "scan",
    "scan_table",
    "sensitivity",
    "to_json",
    "to_sarif",
]
