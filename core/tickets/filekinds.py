"""What a file is, from its bytes (never its name), and its name in plain words for the people it is refused to.

`filetype` reads the signature. A ZIP is looked into (bounded: its directory when it lists at most MAX_MEMBERS
files, and at most MAX_PART bytes of one member), to tell a Word, Excel or PowerPoint file ([Content_Types].xml
naming its main part) or an OpenDocument file (a `mimetype` member first) from any other zip, and an Office file
with macros from one without. An email (.eml) is text whose first lines are mail headers. Nothing is unpacked to
disk or run.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
import zlib

import filetype

ZIP = "application/zip"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT, ODS, ODP = (f"application/vnd.oasis.opendocument.{kind}" for kind in ("text", "spreadsheet", "presentation"))
MACROS = "application/vnd.ms-office.macroEnabled"  # any Office file that carries macros
OLE = "application/x-ole-storage"  # Office 97-2003, and Office files protected by a password
EMAIL = "message/rfc822"
OFFICE_AND_ODF = (DOCX, XLSX, PPTX, ODT, ODS, ODP)
MAX_MEMBERS = 5000
MAX_PART = 512 * 1024

# the main part's content type in [Content_Types].xml -> (what the file is, the folder its parts are in)
_OOXML = {
    b"wordprocessingml.document.main+xml": (DOCX, "word/"),
    b"spreadsheetml.sheet.main+xml": (XLSX, "xl/"),
    b"presentationml.presentation.main+xml": (PPTX, "ppt/"),
    b"macroEnabled.main+xml": (MACROS, ""),
}
_ODF = {ODT: ODT, ODS: ODS, ODP: ODP, "application/epub+zip": "application/epub+zip"}
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_HEADER = re.compile(rb"[!-9;-~]+:")
_MAIL_HEADERS = {b"from", b"to", b"cc", b"subject", b"date", b"message-id", b"mime-version", b"received",
                 b"return-path", b"reply-to", b"in-reply-to", b"references", b"content-type", b"sender"}

ARCHIVES = {ZIP, "application/x-tar", "application/x-rar-compressed", "application/gzip", "application/x-bzip2",
            "application/x-7z-compressed", "application/x-xz", "application/x-compress", "application/x-lzop",
            "application/x-lzip", "application/x-lz4", "application/x-brotli", "application/zstd",
            "application/x-unix-archive", "application/vnd.ms-cab-compressed"}
# a detected kind -> its name under [filekind] in core/locales; see name_key for images, videos and the rest
NAMES = {
    "application/x-msdownload": "windows_program", "application/x-executable": "program",
    "application/x-mach-binary": "mac_program", "application/wasm": "program",
    "application/java-archive": "java_program", "application/vnd.android.package-archive": "android_app",
    "application/x-deb": "package", "application/x-rpm": "package", "application/x-disk-image": "disk_image",
    "application/msword": "old_office", "application/vnd.ms-excel": "old_office",
    "application/vnd.ms-powerpoint": "old_office", OLE: "old_office", MACROS: "office_macros",
    DOCX: "word", XLSX: "excel", PPTX: "powerpoint", ODT: "odt", ODS: "ods", ODP: "odp",
    "application/pdf": "pdf", EMAIL: "email", "text/plain": "text", "text/csv": "text",
    "application/x-shockwave-flash": "flash", "application/x-google-chrome-extension": "browser_extension",
    "application/x-sqlite3": "database", "application/epub+zip": "ebook", "application/rtf": "rtf",
    "application/postscript": "postscript", "application/octet-stream": "unknown",
    **dict.fromkeys(ARCHIVES, "archive"),
}
TELLING = set(NAMES) - {"text/plain", "text/csv", "application/octet-stream"}  # worth naming when refused


def name_key(found: str) -> str:
    """The [filekind] key that says what `found` (a detected kind) is, in plain words."""
    if found in NAMES:
        return "filekind." + NAMES[found]
    for prefix in ("image", "video", "audio", "font"):
        if found.startswith(prefix + "/"):
            return "filekind." + prefix
    return "filekind.other"


def sniff(content: bytes) -> str:
    """The MIME type the bytes are, by their signature; text/plain for plain text, message/rfc822 for an email."""
    if content.startswith(b"PK\x03\x04"):
        return zipped(content)
    own = _own_signature(content)
    if own:
        return own
    kind = filetype.guess(content)
    if kind is not None:
        return kind.mime
    if looks_like_email(content):
        return EMAIL
    return "text/plain" if looks_like_text(content) else "application/octet-stream"


def _own_signature(content: bytes) -> str | None:
    """Kinds `filetype` does not tell (or tells too narrowly): HEIF photos, disk images, Mac programs, OLE files."""
    if content[4:8] == b"ftyp" and content[8:12] in _HEIF_BRANDS:
        brands = content[8:12] + content[16:int.from_bytes(content[:4], "big")]
        return "image/heic" if b"heic" in brands or b"heix" in brands else "image/heif"
    if any(content[at:at + 5] == b"CD001" for at in (0x8001, 0x8801, 0x9001)) or content[-512:-508] == b"koly" \
            or content[:8] in (b"conectix", b"vhdxfile") or content[:4] in (b"KDMV", b"QFI\xfb"):
        return "application/x-disk-image"
    if content[:4] in (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe"):
        return "application/x-mach-binary"
    if content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        kind = filetype.guess(content)
        return kind.mime if kind else OLE
    return None


def zipped(content: bytes) -> str:
    """What a ZIP holds: Office or OpenDocument (with or without macros), an app, an e-book, or any zip."""
    if _members(content) > MAX_MEMBERS:
        return ZIP
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            if members and members[0].filename == "mimetype":
                declared = _read(archive, members[0], 100).strip().decode("ascii", "replace")
                return _ODF.get(declared, ZIP)
            if "[Content_Types].xml" in names:
                return _office(_read(archive, archive.getinfo("[Content_Types].xml"), MAX_PART), names)
            if "AndroidManifest.xml" in names and "classes.dex" in names:
                return "application/vnd.android.package-archive"
            if "META-INF/MANIFEST.MF" in names and any(name.endswith(".class") for name in names):
                return "application/java-archive"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, ValueError, NotImplementedError, OSError,
            EOFError, zlib.error):
        pass  # encrypted, damaged or unusual: a zip all the same
    return ZIP


def _office(types: bytes, names: set[str]) -> str:
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return MACROS
    for main, (kind, folder) in _OOXML.items():
        if main in types and any(name.startswith(folder) for name in names):
            return kind
    return ZIP


def _members(content: bytes) -> int:
    """How many files the ZIP's directory lists, read from its end record (before zipfile reads it all)."""
    end = content.rfind(b"PK\x05\x06", max(0, len(content) - 65_557))
    if end < 0 or end + 12 > len(content):
        return 0  # no end record: zipfile refuses it, and it stays a zip
    count = int.from_bytes(content[end + 10:end + 12], "little")
    return MAX_MEMBERS + 1 if count == 0xFFFF else count  # ZIP64: too many to look at


def _read(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limit: int) -> bytes:
    with archive.open(member) as handle:
        return handle.read(limit)


def looks_like_text(content: bytes) -> bool:
    sample = content[:65536]
    if sample[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 with its mark: Excel's "Unicode text", Notepad
        sample = sample[2:len(sample) & ~1].decode("utf-16-le" if sample[0] == 0xFF else "utf-16-be", "replace")
        return "\x00" not in sample and _few_controls(sample)
    if b"\x00" in sample:
        return False
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # not just a character cut at the sample's end
            text = sample.decode("latin-1")
        else:
            text = sample[: exc.start].decode("utf-8")
    return _few_controls(text)


def _few_controls(text: str) -> bool:
    bad = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n\f")
    return bad <= len(text) // 1000


def looks_like_email(content: bytes) -> bool:
    """Text that opens with a block of mail headers (at least two that every email has) before a blank line."""
    head = content[:65536].lstrip(b"\r\n")
    block = re.split(rb"\r?\n\r?\n", head, maxsplit=1)[0]
    lines = block.splitlines()
    if not lines or not _HEADER.match(lines[0]) or b"\x00" in block:
        return False
    names = set()
    for line in lines:
        if line[:1] in (b" ", b"\t"):
            continue  # a folded header's next line
        if not _HEADER.match(line):
            return False
        names.add(line.split(b":", 1)[0].lower())
    return len(names & _MAIL_HEADERS) >= 2 and bool(names & {b"from", b"subject", b"date", b"message-id"})
