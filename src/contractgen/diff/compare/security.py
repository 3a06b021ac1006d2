"""Placeholder: filled by the security comparator work."""
