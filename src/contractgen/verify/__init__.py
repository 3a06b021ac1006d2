"""`contractgen verify`: a running server exercised against its contract."""
