"""The fbgym version, defined once."""

__version__ = "0.2.0"
