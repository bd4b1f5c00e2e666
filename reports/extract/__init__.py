"""File bytes → ``Document``s. The kind of file is told by its content, never by its name.

``extract(data, filename, limits=...)`` returns every report document in the upload (a zip may hold
many) and the archive members it skipped, or raises ``ExtractError`` when the file as a whole
cannot be read (too large, empty, corrupt, encrypted, a scan without text, unsupported, a zip bomb,
a timeout). Heavy readers (pdfplumber, python-docx, openpyxl) are imported on first use so that
starting the bot or the CLI does not pay for formats it never sees.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import Literal

from reports.document import Document

from .safety import OLE_MAGIC, ExtractError, Limits, Skipped, ZipBudget, check_size, ole_entries

__all__ = ["ExtractError", "ExtractResult", "Kind", "Limits", "Skipped", "extract", "sniff"]

Kind = Literal["text", "html", "mhtml", "docx", "doc", "rtf", "pdf", "xlsx", "zip", "xls", "ppt", "odf",
               "office_encrypted", "ole", "binary"]


@dataclass(slots=True)
class ExtractResult:
    documents: list[Document] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<meta", b"<table", b"<div", b"<p>", b"<p ",
                 b"<title", b"<span", b"<br")


def sniff(data: bytes) -> Kind:
    """What the bytes are, from magic numbers and a look inside containers."""
    head = data[:8]
    if b"%PDF-" in data[:1024]:  # readers accept a header anywhere in the first KiB
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _sniff_zip(data)
    if head == OLE_MAGIC:
        return _sniff_ole(data)
    if data.startswith(b"{\\rtf"):
        return "rtf"
    start = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith(b"<") and any(m in start for m in _HTML_MARKERS):
        return "html"
    if start.startswith(b"mime-version:") or (start.startswith((b"from:", b"content-type:")) and b"multipart/related" in start):
        return "mhtml"  # Word's "single file web page" (.mht), often published under a .doc name
    sample = data[:8192]
    if b"\x00" in sample and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary"
    return "text"


def _sniff_zip(data: bytes) -> Kind:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return "zip"  # the archive reader reports the damage
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if any(n.startswith("ppt/") for n in names):
        return "ppt"
    if "mimetype" in names and "content.xml" in names:
        return "odf"
    return "zip"


def _sniff_ole(data: bytes) -> Kind:
    try:
        names = {e.name for e in ole_entries(data)}
    except ExtractError:
        return "ole"
    if "EncryptedPackage" in names or "EncryptionInfo" in names:
        return "office_encrypted"
    if "WordDocument" in names:
        return "doc"
    if "Workbook" in names or "Book" in names:
        return "xls"
    if "PowerPoint Document" in names:
        return "ppt"
    return "ole"


_UNSUPPORTED: dict[str, tuple[str, str]] = {
    "xls": ("不支持旧版 Excel（.xls）文件，请另存为 .xlsx 后再发送", "legacy Excel (.xls) is not supported; save it as .xlsx and send it again"),
    "ppt": ("不支持 PowerPoint 文件", "PowerPoint files are not supported"),
    "odf": ("不支持 OpenDocument 文件，请另存为 .docx 或 .pdf", "OpenDocument files are not supported; save as .docx or .pdf"),
    "ole": ("无法识别的 Office 文件", "unrecognised Office file"),
    "binary": ("无法识别的文件格式（支持文本、网页、Word、PDF、Excel 和 zip）",
               "unrecognised file format (text, HTML, Word, PDF, Excel and zip are supported)"),
}


def extract(data: bytes, filename: str, *, limits: Limits = Limits()) -> ExtractResult:
    check_size(data, limits)
    return _extract(data, filename, limits, ZipBudget(limits), depth=0)


def _extract(data: bytes, filename: str, limits: Limits, budget: ZipBudget, depth: int) -> ExtractResult:
    if not data.strip():
        raise ExtractError("empty", "文件为空", "the file is empty")
    kind = sniff(data)
    if kind == "zip":
        from .archive import read_archive

        return read_archive(data, filename, limits, budget, depth, _extract)
    return ExtractResult([read_one(data, filename, kind, limits, budget)])


def read_one(data: bytes, filename: str, kind: Kind, limits: Limits, budget: ZipBudget | None = None) -> Document:
    """One document of a known kind (anything but a plain zip)."""
    if kind == "text":
        from .text import read_text

        return read_text(data, filename)
    if kind == "html":
        from .html import read_html

        return read_html(data, filename)
    if kind == "mhtml":
        from .html import read_mhtml

        return read_mhtml(data, filename)
    if kind == "docx":
        from .docx import read_docx

        return read_docx(data, filename, limits, budget)
    if kind in ("doc", "rtf"):
        from .doc import read_doc

        return read_doc(data, filename, limits, rtf=kind == "rtf")
    if kind == "pdf":
        from .pdf import read_pdf

        return read_pdf(data, filename, limits)
    if kind == "xlsx":
        from .xlsx import read_xlsx

        return read_xlsx(data, filename, limits, budget)
    if kind == "office_encrypted":
        raise ExtractError("encrypted", "Office 文件已加密（设有打开密码），请去除密码后再发送",
                           "the Office file is encrypted (it has an open password); remove the password and send it again")
    zh, en = _UNSUPPORTED[kind]
    raise ExtractError("unsupported", zh, en)
