"""Rules: limits."""
