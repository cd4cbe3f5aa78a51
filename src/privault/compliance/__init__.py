"""Compliance: a control catalogue as data, checks on the live system, scores, reports.

The checks here are pure: each reads plain facts through a
:class:`~privault.compliance.facts.SystemView` that the app layer implements
over the platform's services, so the same checks run on fakes in unit tests.
"""
