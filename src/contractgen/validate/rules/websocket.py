"""Rules: websocket."""
