"""Placeholder: filled by the errors comparator work."""
