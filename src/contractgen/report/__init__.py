"""Findings and the reporters that turn them into text, JSON, SARIF, GitHub or JUnit."""
