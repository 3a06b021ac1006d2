"""Placeholder: filled by the operations comparator work."""
