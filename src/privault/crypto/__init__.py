"""Cryptographic recipes. Only :mod:`privault.crypto._primitives` imports hazmat.

Recipes make every choice (AES-256-GCM, 96-bit random nonces, HKDF-SHA256
subkeys, HMAC-SHA256, FF1); callers choose nothing but keys and context.
"""
