"""Placeholder: filled by the parameters comparator work."""
