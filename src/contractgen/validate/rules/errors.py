"""Rules: errors."""
