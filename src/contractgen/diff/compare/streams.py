"""Placeholder: filled by the streams comparator work."""
