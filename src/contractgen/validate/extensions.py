"""Extension schema rules."""
