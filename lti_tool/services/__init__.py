"""Writes go through services: typed, keyword-only, `<entity>_<action>`, atomic."""
