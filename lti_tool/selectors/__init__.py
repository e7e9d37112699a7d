"""Reads, scoped by the launch: one module per area (submissions, grades, the roster).

Selectors read models and may call the LMS's read-only services (the roster); they never
write and never import services.
"""
