"""Bytes → text: BOM, UTF-8, GBK/GB18030, line endings. Refuses with a clear message otherwise."""
from __future__ import annotations

import codecs


class SourceDecodeError(ValueError):
    """The source could not be decoded; the message says why and what to do."""


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return (text with '\\n' line endings and no BOM, name of the encoding used)."""
    if data.startswith(codecs.BOM_UTF8):
        text, enc = _strict(data[len(codecs.BOM_UTF8):], "utf-8"), "utf-8 (BOM)"
    elif data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        text, enc = _strict(data, "utf-16"), "utf-16"
    else:
        if b"\x00" in data:
            raise SourceDecodeError(
                "the file contains NUL bytes: it looks binary (or UTF-16 without a BOM); "
                "save it as UTF-8 text and try again")
        try:
            text, enc = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError as utf8_error:
            try:
                text, enc = data.decode("gb18030"), "gb18030"
            except UnicodeDecodeError:
                raise SourceDecodeError(
                    f"cannot decode the file: not UTF-8 (invalid byte at offset {utf8_error.start}) "
                    "and not GBK/GB18030 either; convert it to UTF-8 and try again") from None
    text = text.lstrip("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n"), enc


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as e:
        raise SourceDecodeError(
            f"the file starts with a {encoding} byte-order mark but is not valid {encoding} "
            f"(offset {e.start}); convert it to UTF-8 and try again") from None
