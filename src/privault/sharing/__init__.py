"""Secure file sharing: chunked AEAD blobs, storage backends, links, upload scans.

Pure logic and the sharing tables; :mod:`privault.app.sharing` composes it
with keys, policy and audit.
"""
