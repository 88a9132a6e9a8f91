"""Sharing City: a platform for a city that governs with its citizens and shares what it owns."""

__version__ = "0.1.0"
