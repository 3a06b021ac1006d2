"""`contractgen export`: the contract's streams and WebSockets for other tools."""
