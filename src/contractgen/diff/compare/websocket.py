"""Placeholder: filled by the websocket comparator work."""
