"""Repositories own all SQL and hand out plain data objects, never ORM rows."""
