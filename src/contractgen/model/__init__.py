"""The one typed contract model that validate, diff and scaffold read."""
