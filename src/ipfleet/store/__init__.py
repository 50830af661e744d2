"""Persistence: SQLAlchemy Core tables, the engine factory, repositories, migrations."""
