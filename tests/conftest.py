"""Shared test configuration: this folder is on the import path, for ``environment``."""
