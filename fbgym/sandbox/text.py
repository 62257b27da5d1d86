"""Text that came out of a run, made safe to show: control sequences stripped, addresses masked."""

from __future__ import annotations

import re

from fbgym.sandbox.compare import show_value

_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, screen clears
    r"|\x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC, DCS, SOS, PM, APC strings
    r"|\x1b[ -/]*[0-~]?"  # other escape sequences, or a lone ESC
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
    r"|[\x90\x98\x9d-\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # 8-bit string controls
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}")


def strip_controls(text: str) -> str:
    """``text`` without terminal escape sequences, NUL or other C0/C1 control characters.

    Tab and newline stay; a carriage return becomes a newline; lone surrogates become
    U+FFFD.

    >>> esc = chr(27)
    >>> strip_controls(f"{esc}[31mred{esc}[0m{chr(0)} {esc}]0;title{chr(7)}ok")
    'red ok'
    """
    text = _ESCAPES.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _SURROGATES.sub("\ufffd", _CONTROLS.sub("", text))


def mask_addresses(text: str) -> str:
    """``text`` with memory addresses (``0x7f3a...``) masked, so reports are reproducible."""
    return _ADDRESS.sub("0x…", text)


def safe_text(text: object, limit: int) -> str:
    """``text`` as a str, control sequences stripped, addresses masked, cut to ``limit``.

    Anything but a str is shown as :func:`show_value` shows it (never ``str()`` of a value a
    run sent, which may be slow or refuse: an int of 5,000 digits).
    """
    if not isinstance(text, str):
        text = show_value(text, 8 * limit + 64)
    if not text:
        return ""
    return mask_addresses(strip_controls(text[: 8 * limit + 64]))[:limit]
