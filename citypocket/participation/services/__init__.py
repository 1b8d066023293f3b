"""Writes of the participation app, one module per sub-domain."""
