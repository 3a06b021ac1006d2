"""Placeholder: filled by the bodies comparator work."""
