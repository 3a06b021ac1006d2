"""Loading: read a spec safely, parse it with source positions, resolve references."""
