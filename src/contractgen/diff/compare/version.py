"""Placeholder: filled by the version comparator work."""
