"""Writes go through services: typed, keyword-only, `<entity>_<action>`, atomic.

Services read through selectors, enqueue background work through `lti_tool.jobs` (never by
importing tasks) and never wait on the network inside a database transaction.
"""
