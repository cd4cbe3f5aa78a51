"""Data lifecycle: retention and destruction with proof, consent, data-subject requests.

Pure rules (periods, retention policies, legal deadlines, the DSR state
machine, signed certificates) plus :mod:`tables` and :mod:`repository` over
the lifecycle's own tables. The use cases live in ``privault.app``.
"""
