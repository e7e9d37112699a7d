"""The Django app: LTI endpoints and pages (`views/`), the JSON API (`api/`), writes
(`services/`), reads (`selectors/`), Celery tasks (`tasks.py`), LTI protocol code (`lti/`),
tenants and platform registration (`tenants/`) and the schema (`models/`).

Dependencies point one way (see the import-linter contracts in pyproject.toml).
"""
