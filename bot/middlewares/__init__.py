"""Middlewares: the per-update database session and user, the locale, flood control, long texts."""
