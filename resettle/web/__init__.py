"""Shared web plumbing: security headers, error pages, templates, pagination, transactions."""
