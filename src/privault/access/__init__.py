"""Authorization: one pure decision function, deny by default.

This is the first form (an admin-only stub); the access issue replaces it
with roles, tenant scoping, field view modes, purposes and MFA step-up.
"""
