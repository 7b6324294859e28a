"""Matching community offers to families' needs."""
