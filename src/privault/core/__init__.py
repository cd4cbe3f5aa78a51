"""Core: errors, ids, value types, clock, Secret, Registry and settings.

Nothing here touches a database, the network or the filesystem at import.
"""
