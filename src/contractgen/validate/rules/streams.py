"""Rules: streams."""
