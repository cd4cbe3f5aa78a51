"""Leak tracing: the register of marked exports (who, when, what, which mark).

Pure tables and a repository over them; the marks themselves are made and
detected by :mod:`privault.deid.fingerprint`, the use cases live in
:mod:`privault.app.exports`. No key is ever stored here: a row holds the
derivation label of its export key and a keyed fingerprint of it.
"""
