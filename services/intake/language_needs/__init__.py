"""Interpreter need and integration language recorded by staff (the registration may bring them)."""
