"""Keyboards are functions, built at render time in the user's language."""
