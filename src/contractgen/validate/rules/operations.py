"""Rules: operations."""
