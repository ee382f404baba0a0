"""Legacy Word .doc: converted to .docx by LibreOffice when it is installed."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from archive.errors import ImportFailed
from importers.document import RawDocument
from importers.readers.docx import read_docx

CONVERT_TIMEOUT = 120  # seconds
_HOW = "请用 Word 或 WPS 打开该文件，“另存为” .docx 格式后再导入"


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def read_doc(data: bytes) -> RawDocument:
    exe = soffice()
    if exe is None:
        raise ImportFailed(f"无法读取旧版 Word（.doc）文件：本机未安装 LibreOffice。{_HOW}")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp, "report.doc")
        src.write_bytes(data)
        try:
            subprocess.run([exe, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp}/profile",
                            "--convert-to", "docx", "--outdir", tmp, str(src)],
                           capture_output=True, timeout=CONVERT_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise ImportFailed(f"转换 .doc 文件超时（{CONVERT_TIMEOUT} 秒）：{_HOW}") from None
        except OSError:
            raise ImportFailed(f"无法启动 LibreOffice 转换 .doc 文件：{_HOW}") from None
        out = Path(tmp, "report.docx")
        if not out.exists():
            raise ImportFailed(f".doc 文件转换失败（文件可能已损坏）：{_HOW}")
        raw = read_docx(out.read_bytes())
    raw.format = "doc"
    return raw
