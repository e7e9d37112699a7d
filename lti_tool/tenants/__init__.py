"""Tenants and LMS platform registration, in one place: the admin pages, the management
commands, LTI Dynamic Registration, the tool's signing keys and its description for LMSs.

A Django app of its own (for its admin and commands); its models live in
`lti_tool.models.tenants` with the rest of the schema.
"""
