"""The errors fbgym raises: one base class and a few precise subclasses."""

from __future__ import annotations


class FbgymError(Exception):
    """Base class of every error fbgym raises on purpose."""


class RegistrationError(FbgymError):
    """An environment or simulated user could not be registered (e.g. a duplicate id)."""


class UnknownIdError(FbgymError, KeyError):
    """A lookup named an id that is not registered; the message suggests the nearest ones."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else ""


class PluginLoadError(FbgymError):
    """A third-party plugin declared under an fbgym entry-point group failed to load."""


class DataFormatError(FbgymError, ValueError):
    """A data file is not in the format its loader expects; the message names file and line."""


class ConfigError(FbgymError, ValueError):
    """A configuration value is out of range or of the wrong type."""
