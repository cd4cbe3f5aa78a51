"""The client-credential vault: items, generator, health, import/export formats.

Pure logic and the credential tables; :mod:`privault.app.credentials`
composes it with keys, policy and audit.
"""
