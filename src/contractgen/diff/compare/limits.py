"""Placeholder: filled by the limits comparator work."""
