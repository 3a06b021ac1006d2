"""`contractgen mock`: a contract served at runtime on `contractgen.runtime`, no code generated."""
