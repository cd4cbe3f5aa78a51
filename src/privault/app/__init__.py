"""Use cases, one module per capability: authorize → act → audit, in one unit of work.

Every interface (CLI, REST API, web) calls these services and nothing below.
"""
