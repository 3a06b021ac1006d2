"""contractgen validate: structural checks plus the contract rule catalogue."""
