"""Search over Kazakh and Russian text: normalization, stemming, and questions read as filters.

Pure functions: the service normalizes what it stores and what it is asked, and the storage layer's
index (storage/repositories/grant_search.py: SQLite FTS5 now, PostgreSQL's full-text search later behind
the same interface) only matches the tokens it is given.
"""
