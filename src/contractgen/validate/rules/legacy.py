"""Rules: legacy."""
