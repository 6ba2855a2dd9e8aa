"""Persistence: SQLAlchemy models, repositories, Alembic migrations and the FSM storage."""
