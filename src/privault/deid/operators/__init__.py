"""The operator registry: every built-in operator, registered by name.

Adding an operator is one module plus one line here (see
:mod:`privault.deid.operators.base` for the contract).
"""

from __future__ import annotations

from privault.deid.operators.base import OPERATORS as OPERATORS
from privault.deid.operators.base import Binding as Binding
from privault.deid.operators.base import Operator as Operator
from privault.deid.operators.base import OperatorParams as OperatorParams
from privault.deid.operators.base import build_operator as build_operator
from privault.deid.operators.base import validate_params as validate_params
from privault.deid.operators.fake import Fake
from privault.deid.operators.fpe import Fpe
from privault.deid.operators.generalize import DateShift, Generalize
from privault.deid.operators.keyed import Decrypt, Encrypt, Hash
from privault.deid.operators.simple import Keep, Mask, Redact, Replace
from privault.deid.operators.tokenize import Tokenize

__all__ = [
    "OPERATORS",
    "Binding",
    "Operator",
    "OperatorParams",
    "build_operator",
    "validate_params",
]

for _cls in (Redact, Replace, Mask, Hash, Encrypt, Decrypt, Fpe, Fake, Generalize, DateShift, Keep):
    OPERATORS.register(_cls.name, _cls)
OPERATORS.register(Tokenize.name, Tokenize)
