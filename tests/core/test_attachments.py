import io
import zipfile

import pytest

from core.errors import Collector
from core.tickets.attachments import Upload, check_uploads, safe_filename, sniff

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
GIF = b"GIF89a" + b"\x00" * 32
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 32
MOV = b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  " + b"\x00" * 32
WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n" + b" " * 32


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("logs/app.log", "line\n" * 100)
    return buffer.getvalue()


def _check(settings, *uploads):
    errors = Collector()
    files = check_uploads(list(uploads), settings, errors)
    return files, errors


@pytest.mark.parametrize(("name", "content", "content_type"), [
    ("shot.png", PNG, "image/png"), ("photo.JPG", JPEG, "image/jpeg"), ("a.jpeg", JPEG, "image/jpeg"),
    ("anim.gif", GIF, "image/gif"), ("pic.webp", WEBP, "image/webp"), ("rec.mp4", MP4, "video/mp4"),
    ("rec.mov", MOV, "video/quicktime"), ("rec.webm", WEBM, "video/webm"), ("doc.pdf", PDF, "application/pdf"),
    ("logs.zip", _zip(), "application/zip"), ("notes.txt", "¡Hola! ñandú\n".encode(), "text/plain"),
    ("app.log", b"2026-01-01 ERROR boom\n", "text/plain"), ("data.csv", b"a,b\n1,2\n", "text/csv"),
])
def test_accepted_types_are_recognised_by_content(settings, name, content, content_type):
    files, errors = _check(settings, Upload(name, content))
    assert not errors.errors
    assert [(f.filename, f.content_type) for f in files] == [(name, content_type)]


@pytest.mark.parametrize(("name", "content", "says"), [
    ("screenshot.png", b"MZ\x90\x00\x03" + b"\x00" * 60, "not a png file"),
    ("video.mp4", PNG, "not a mp4 file (this looks like a picture)"),
    ("notes.txt", PNG, "not a txt file"),
    ("report.pdf", b"hello, plain text", "not a pdf file (this looks like plain text)"),
    ("setup.exe", b"MZ\x90\x00", "files of this type are not accepted"),
    ("script.js", b"alert(1)", "files of this type are not accepted"),
    ("noextension", b"hello", "files of this type are not accepted"),
    ("empty.png", b"", "the file is empty"),
])
def test_refused_files_are_named_with_the_reason(settings, name, content, says):
    files, errors = _check(settings, Upload(name, content), Upload("fine.txt", b"ok"))
    assert files == []
    [(key, params)] = errors.errors["attachments"]
    from core import i18n
    text = i18n.t(key, "en", **params)
    assert text.startswith(name + ":") and says in text


def test_file_of_exactly_the_limit_passes_and_one_byte_more_fails(settings):
    limit = settings.model_copy(update={"max_file_mb": 1 / 1024})  # 1024 bytes
    assert _check(limit, Upload("a.txt", b"a" * 1024))[0]
    assert not _check(limit, Upload("a.txt", b"a" * 1025))[0]


@pytest.mark.parametrize(("given", "kept"), [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("C:\\Users\\me\\shot.png", "shot.png"),
    ("bad\x00name.png", "badname.png"),
    ("line\nbreak\u202egnp.txt", "linebreakgnp.txt"),
    ("   ", "file"),
    ("..", "file"),
])
def test_safe_filename(given, kept):
    assert safe_filename(given) == kept


def test_long_names_keep_their_extension():
    name = safe_filename("a" * 300 + ".png")
    assert len(name) == 150 and name.endswith(".png")


def test_binary_is_not_text():
    assert sniff(b"\x00\x01\x02\x03" * 10) == "application/octet-stream"
