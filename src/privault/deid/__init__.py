"""De-identification: operators, text anonymization, table masking and risk.

A pure library (no database, no settings, keys passed in), like Presidio's
anonymizer. See ``README.md`` beside this file for the flow.

>>> from privault.deid import load_policy, anonymize
>>> from privault.detect import Finding
>>> policy = load_policy("entities: {EMAIL_ADDRESS: {operator: mask, keep_last: 4}}")
>>> anonymize("mail a@b.io now", [Finding("EMAIL_ADDRESS", 5, 11, 1.0, "t")], policy).text
'mail **b.io now'
"""

from __future__ import annotations

from privault.deid.copy import MaskOptions as MaskOptions
from privault.deid.copy import mask_file as mask_file
from privault.deid.files import FORMATS as FORMATS
from privault.deid.kanon import KPlan as KPlan
from privault.deid.kanon import plan_k_anonymity as plan_k_anonymity
from privault.deid.keys import DeidKeys as DeidKeys
from privault.deid.operators import OPERATORS as OPERATORS
from privault.deid.operators import Binding as Binding
from privault.deid.operators import Operator as Operator
from privault.deid.operators import OperatorParams as OperatorParams
from privault.deid.operators import build_operator as build_operator
from privault.deid.policy import Policy as Policy
from privault.deid.policy import load_policy as load_policy
from privault.deid.report import ColumnReport as ColumnReport
from privault.deid.report import KReport as KReport
from privault.deid.report import MaskReport as MaskReport
from privault.deid.risk import RiskReport as RiskReport
from privault.deid.risk import measure_risk as measure_risk
from privault.deid.table import TablePlan as TablePlan
from privault.deid.table import plan_table as plan_table
from privault.deid.text import AnonymizedItem as AnonymizedItem
from privault.deid.text import AnonymizedText as AnonymizedText
from privault.deid.text import TextAnonymizer as TextAnonymizer
from privault.deid.text import anonymize as anonymize
from privault.deid.text import deanonymize as deanonymize

__all__ = [
    "FORMATS",
    "OPERATORS",
    "AnonymizedItem",
    "AnonymizedText",
    "Binding",
    "ColumnReport",
    "DeidKeys",
    "KPlan",
    "KReport",
    "MaskOptions",
    "MaskReport",
    "Operator",
    "OperatorParams",
    "Policy",
    "RiskReport",
    "TablePlan",
    "TextAnonymizer",
    "anonymize",
    "build_operator",
    "deanonymize",
    "load_policy",
    "mask_file",
    "measure_risk",
    "plan_k_anonymity",
    "plan_table",
]
