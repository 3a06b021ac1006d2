"""Rules: examples."""
