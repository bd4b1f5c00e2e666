"""Plain text: UTF-8 (with or without BOM), then GB18030 (a superset of GBK and GB2312).

Every line becomes one ``Paragraph``, empty lines included: flattened tables put one cell per
line and an empty line is an empty cell, so the parser needs them all.
"""

from __future__ import annotations

from reports.document import Document, Paragraph, Source

from .safety import ExtractError


def decode_text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        # Mixed or damaged bytes: keep what is readable rather than refusing the whole file.
        return data.decode("gb18030", errors="replace")


def lines_of(text: str) -> list[str]:
    """Lines split on newlines only, each stripped of its carriage return; nothing else is touched."""
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()  # the newline that ends the last line does not start another one
    return lines


def read_text(data: bytes, filename: str) -> Document:
    text = decode_text(data)
    if "\x00" in text:
        raise ExtractError("unsupported", "无法识别的文件格式（不是文本、网页、Word、PDF、Excel 或 zip）",
                           "unrecognised file format (not text, HTML, Word, PDF, Excel or zip)")
    lines = lines_of(text)
    return Document(Source.of(filename, data, "text"), [Paragraph(line) for line in lines])
