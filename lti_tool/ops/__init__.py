"""Running the tool: health and readiness, Prometheus metrics, request context for the JSON
logs, the tool's own HTTP error pages and its security headers.

Nothing here is imported by the app's layers below it: the middleware and views are named
in settings and urls, the Celery hooks in config/celery.py.
"""
