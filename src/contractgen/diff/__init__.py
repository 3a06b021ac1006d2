"""`contractgen diff`: which changes between two contracts break existing clients."""
