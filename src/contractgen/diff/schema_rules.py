"""Placeholder: the schema comparator rules."""
