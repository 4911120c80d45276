"""Operators (`allo.*`): one module per operator, each with a `classes` tuple.

Operators are thin: read properties, build a validated request, call plain code, report.
A UserError raised in execute() is reported by reporting.reports_user_errors, its decorator.
"""
