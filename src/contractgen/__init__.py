"""contractgen: contract-first toolkit for streaming APIs."""

__version__ = "0.1.0"
