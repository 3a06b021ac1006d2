"""`contractgen scaffold`: render a FastAPI service that keeps the contract from the model."""
