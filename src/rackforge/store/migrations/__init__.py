"""Alembic scripts of the store (``env.py`` and ``versions/``)."""
