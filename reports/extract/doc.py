"""Legacy Word (.doc) and RTF: antiword first, LibreOffice when antiword cannot be trusted.

antiword is fast but silently drops table rows when a wide row is followed by a narrower one,
which on government reports loses whole blocks of table 三. Its output is therefore checked
against the templates: when the text looks like an annual report but misses row labels the
template prints, the file is converted with LibreOffice (``soffice --headless --convert-to
docx``) and read as .docx. LibreOffice runs in a temporary directory, with a private profile, a
timeout, and its whole process group killed on timeout. RTF goes straight to LibreOffice.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import struct
import subprocess
import tempfile
import threading
from pathlib import Path

from reports.document import Document, Paragraph, Source
from reports.templates import TEMPLATES

from .docx import read_docx
from .safety import ExtractError, Limits, ZipBudget, ole_entries, ole_sector_bytes
from .text import lines_of

_SPACES = re.compile(r"[\s|\u3000]+")
# One LibreOffice at a time per process: instances sharing a profile refuse to start.
_SOFFICE_LOCK = threading.Lock()


def _encrypted_doc() -> ExtractError:
    return ExtractError("encrypted", "Word 文件已加密（设有打开密码），请去除密码后再发送",
                        "the Word file is encrypted (it has an open password); remove the password and send it again")


def check_not_encrypted(data: bytes) -> None:
    """The File Information Block of the WordDocument stream carries fEncrypted (bit 8 of its flags)."""
    for entry in ole_entries(data):
        if entry.name == "WordDocument" and entry.size >= 4096:
            fib = ole_sector_bytes(data, entry, 16)
            if len(fib) >= 12 and struct.unpack_from("<H", fib, 0)[0] == 0xA5EC:
                flags = struct.unpack_from("<H", fib, 10)[0]
                if flags & 0x0100:
                    raise _encrypted_doc()


def _norm(text: str) -> str:
    return _SPACES.sub("", text).replace("(", "（").replace(")", "）")


def looks_complete(text: str) -> bool:
    """False when ``text`` reads like an annual report but lacks row labels its template prints."""
    flat = _norm(text)
    template = TEMPLATES["2021"] if any(_norm(m) in flat for m in TEMPLATES["2021"].markers) else TEMPLATES["2019"]
    labels: list[tuple[str, ...]] = []
    for table in template.tables:
        for row in table.rows:
            labels.append(tuple(_norm(label) for label in row.labels))
    found = sum(1 for alts in labels if any(a and a in flat for a in alts))
    if found < 3:
        return True  # not a report with tables: nothing to check against
    return found == len(labels) and flat.count("结果维持") >= 3


def _antiword(data: bytes, workdir: Path, limits: Limits) -> str | None:
    exe = shutil.which("antiword")
    if exe is None:
        return None
    path = workdir / "in.doc"
    path.write_bytes(data)
    code, out, err = _run([exe, "-m", "UTF-8.txt", "-w", "0", str(path)], workdir, limits)
    if b"encrypted" in err.lower():
        raise _encrypted_doc()
    if code != 0:
        return None
    text = out.decode("utf-8", errors="replace")
    return text if text.strip() else None


def _run(cmd: list[str], workdir: Path, limits: Limits) -> tuple[int, bytes, bytes]:
    """Run a converter in its own process group, so a late one is killed with all its children."""
    proc = subprocess.Popen(cmd, cwd=workdir, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True,
                            env={**os.environ, "HOME": str(workdir)})
    try:
        out, err = proc.communicate(timeout=limits.convert_seconds)
    except subprocess.TimeoutExpired:
        _kill_group(proc.pid)
        proc.communicate()
        raise ExtractError("timeout", f"Word 文件转换超时（超过 {limits.convert_seconds:.0f} 秒）",
                           f"converting the Word file took too long (over {limits.convert_seconds:.0f} s)") from None
    return proc.returncode, out, err


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # it finished on its own just now


def soffice_convert(data: bytes, suffix: str, workdir: Path, limits: Limits) -> bytes | None:
    """The file converted to .docx by LibreOffice, or None when LibreOffice is absent or fails."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        return None
    src = workdir / f"in{suffix}"
    src.write_bytes(data)
    outdir = workdir / "out"
    outdir.mkdir(exist_ok=True)
    profile = (workdir / "profile").as_uri()
    cmd = [exe, "--headless", "--norestore", "--nolockcheck", "--nodefault", f"-env:UserInstallation={profile}",
           "--convert-to", "docx", "--outdir", str(outdir), str(src)]
    with _SOFFICE_LOCK:
        # The exit status says little (0 even when the input was unreadable): the output file decides.
        _run(cmd, workdir, limits)
    out = outdir / "in.docx"
    return out.read_bytes() if out.is_file() else None


def read_doc(data: bytes, filename: str, limits: Limits, *, rtf: bool = False) -> Document:
    if not rtf:
        check_not_encrypted(data)
    with tempfile.TemporaryDirectory(prefix="govreport-doc-") as tmp:
        workdir = Path(tmp)
        text = None if rtf else _antiword(data, workdir, limits)
        if text is not None and looks_complete(text):
            return Document(Source.of(filename, data, "doc"), [Paragraph(line) for line in lines_of(text)])
        converted = soffice_convert(data, ".rtf" if rtf else ".doc", workdir, limits)
    if converted is not None:
        doc = read_docx(converted, filename, limits, ZipBudget(limits))
        return Document(Source.of(filename, data, "doc"), doc.blocks)
    if text is not None:
        # LibreOffice is missing or failed: antiword's reading is all there is; the parser reports what is missing.
        return Document(Source.of(filename, data, "doc"), [Paragraph(line) for line in lines_of(text)])
    raise ExtractError("corrupt", "Word 文件无法读取（文件损坏或格式不受支持）",
                       "the Word file cannot be read (corrupt or an unsupported variant)")
