"""Issue 18 item 5: the files people send (Office, OpenDocument, HEIC photos, emails) are accepted by content,
and a refused one is named in plain words in English and Spanish, never by a MIME type.
Every file here is built in the test."""

from __future__ import annotations

import email
import email.policy
import io
import zipfile
from email.message import EmailMessage

import pillow_heif
import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core import i18n
from core.errors import Collector
from core.mail import eml, ingest
from core.models import Attachment, Message
from core.tickets import attachments, filekinds
from core.tickets.attachments import Upload, check_uploads
from tests.core.conftest import T0

OOXML = {"docx": ("word/document.xml", "wordprocessingml.document.main+xml"),
         "xlsx": ("xl/workbook.xml", "spreadsheetml.sheet.main+xml"),
         "pptx": ("ppt/presentation.xml", "presentationml.presentation.main+xml")}
ODF = {"odt": "text", "ods": "spreadsheet", "odp": "presentation"}
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 50 + b"This program cannot be run in DOS mode"
ISO = b"\x00" * 0x8001 + b"CD001\x01" + b"\x00" * 2000
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 60


def office(ext: str, *, extra: dict[str, bytes] | None = None, late: bool = False) -> bytes:
    """A minimal Office file; `late`: its main part comes after other members (filetype's own check misses it)."""
    part, main = OOXML[ext]
    types = (f'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             f'<Override PartName="/{part}" ContentType="application/vnd.openxmlformats-officedocument.{main}"/>'
             f"</Types>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if late:
            for n in range(6):
                archive.writestr(f"customXml/item{n}.xml", "<x/>" * 500)
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(part, "<document>Hola</document>")
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def opendocument(ext: str, first: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if not first:
            archive.writestr("content.xml", "<office:document-content/>")
        archive.writestr("mimetype", f"application/vnd.oasis.opendocument.{ODF[ext]}")
        archive.writestr("content.xml" if first else "styles.xml", "<office:document-content/>")
        archive.writestr("META-INF/manifest.xml", "<manifest/>")
    return buffer.getvalue()


def plain_zip(members: int = 1) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n in range(members):
            archive.writestr(f"logs/{n}.log", "")
    return buffer.getvalue()


def heic(width: int = 640, height: int = 480) -> bytes:
    out = io.BytesIO()
    pillow_heif.from_pillow(Image.new("RGB", (width, height), (30, 120, 200))).save(out, format="HEIF", quality=40)
    return out.getvalue()


def an_email(subject: str = "Factura de marzo", body: str = "La factura está adjunta, señora Núñez.") -> bytes:
    message = EmailMessage()
    message["From"] = "Jürgen Pérez <jurgen@proveedor.example>"
    message["To"] = "lucia@example.es"
    message["Date"] = "Mon, 02 Mar 2026 08:15:00 +0100"
    message["Subject"] = subject
    message.set_content(body, cte="quoted-printable")
    message.add_attachment(b"%PDF-1.7\n" + b" " * 64, maintype="application", subtype="pdf", filename="marzo.pdf")
    return message.as_bytes()


def _check(settings, name, content):
    errors = Collector()
    files = check_uploads([Upload(name, content)], settings, errors)
    said = {locale: [i18n.t(key, locale, **params) for key, params in errors.errors.get("attachments", [])]
            for locale in ("en", "es")}
    return files, said


@pytest.mark.parametrize("ext", sorted(OOXML))
@pytest.mark.parametrize("late", [False, True])
def test_office_files_are_accepted_by_what_their_zip_holds(settings, ext, late):
    files, said = _check(settings, f"informe.{ext}", office(ext, late=late))
    assert said["en"] == []
    assert [f.content_type for f in files] == [{"docx": filekinds.DOCX, "xlsx": filekinds.XLSX,
                                                "pptx": filekinds.PPTX}[ext]]


@pytest.mark.parametrize("ext", sorted(ODF))
def test_opendocument_files_are_accepted_by_their_mimetype_member(settings, ext):
    files, said = _check(settings, f"acta.{ext}", opendocument(ext))
    assert said["en"] == [] and files[0].content_type == f"application/vnd.oasis.opendocument.{ODF[ext]}"
    assert _check(settings, f"acta.{ext}", opendocument(ext, first=False))[0] == []  # mimetype not first: any zip


@pytest.mark.parametrize(("name", "content", "en", "es"), [
    ("informe.docx", plain_zip(), "this looks like a compressed archive", "parece un archivo comprimido"),
    ("informe.docx", office("xlsx"), "this looks like an Excel spreadsheet", "parece una hoja de cálculo de Excel"),
    ("informe.docx", office("docx", extra={"word/vbaProject.bin": b"\x00" * 64}),
     "this looks like an Office document with macros", "parece un documento de Office con macros"),
    ("screenshot.png", EXE, "this looks like a Windows program", "parece un programa de Windows"),
    ("factura.pdf", ISO, "this looks like a disk image", "parece una imagen de disco"),
    ("notes.txt", ELF, "this looks like a program", "parece un programa"),
    ("report.pdf", b"hello, plain text", "this looks like plain text", "parece texto sin formato"),
    # more members than MAX_MEMBERS: the directory is not read, the Word file is only a zip
    ("informe.docx", office("docx", extra=dict.fromkeys((f"media/{n}" for n in range(filekinds.MAX_MEMBERS)), b"")),
     "this looks like a compressed archive", "parece un archivo comprimido"),
])
def test_a_mismatch_is_named_in_plain_words(settings, name, content, en, es):
    files, said = _check(settings, name, content)
    assert files == []
    assert said["en"][0].startswith(name + ":") and en in said["en"][0]
    assert es in said["es"][0]
    assert "application/" not in said["en"][0] + said["es"][0]


@pytest.mark.parametrize(("name", "content", "en", "es"), [
    ("setup.exe", EXE, "setup.exe: this looks like a Windows program; files of this type are not accepted",
     "setup.exe: parece un programa de Windows; no aceptamos archivos de este tipo"),
    ("ubuntu.iso", ISO, "this looks like a disk image", "parece una imagen de disco"),
    ("backup.tar.gz", b"\x1f\x8b\x08\x00" + b"\x00" * 64, "this looks like a compressed archive",
     "parece un archivo comprimido"),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "an older Office document", "Office antiguo"),
    ("script.js", b"alert(1)", "files of this type are not accepted", "no aceptamos archivos de este tipo"),
])
def test_a_refused_type_is_named_in_plain_words(settings, name, content, en, es):
    files, said = _check(settings, name, content)
    assert files == [] and en in said["en"][0] and es in said["es"][0]
    assert "application/" not in said["en"][0] + said["es"][0]


def test_every_detected_kind_has_a_plain_name_in_english_and_spanish():
    keys = {filekinds.name_key(kind) for kind in filekinds.NAMES} | {
        filekinds.name_key(kind) for kind in ("image/tiff", "video/x-flv", "audio/mpeg", "font/woff", "x/y")}
    for locale in ("en", "es"):
        missing = [key for key in sorted(keys) if key not in i18n.catalog(locale)]
        assert missing == [], locale


def test_a_heic_photo_is_accepted_and_gets_a_preview(desk):
    photo = heic(1920, 1440)
    desk.new_ticket(uploads=[Upload("IMG_0042.HEIC", photo)])
    with desk.reader() as session:
        [attachment] = session.scalars(select(Attachment)).all()
        assert attachment.content_type == "image/heic"
        shown = attachments.shown_content(session, attachment)
    with Image.open(io.BytesIO(shown)) as image:
        assert image.format == "WEBP" and image.size == (960, 720)


def test_an_eml_is_accepted_and_read_as_a_message(desk):
    desk.new_ticket(uploads=[Upload("Factura de marzo.eml", an_email())])
    with desk.reader() as session:
        [attachment] = session.scalars(select(Attachment)).all()
        assert attachment.content_type == "message/rfc822"
        shown = eml.of_attachment(session, attachment)
    assert shown.sender == "Jürgen Pérez <jurgen@proveedor.example>"
    assert (shown.subject, shown.to, shown.files) == ("Factura de marzo", ["lucia@example.es"], ["marzo.pdf"])
    assert shown.date.isoformat() == "2026-03-02T08:15:00+01:00"
    assert shown.text.strip() == "La factura está adjunta, señora Núñez."  # quoted-printable decoded


def test_csv_pdf_and_utf16_text_are_accepted(settings):
    assert _check(settings, "datos.csv", "nombre;ciudad\nNúñez;León\n".encode("utf-16"))[0][0].content_type == \
        "text/csv"
    assert _check(settings, "a.pdf", b"%PDF-1.7\n" + b" " * 64)[0][0].content_type == "application/pdf"
    assert _check(settings, "mail.txt", an_email())[0][0].content_type == "text/plain"  # an email saved as .txt


def test_an_inbound_email_keeps_an_attached_email_and_a_docx_and_names_a_program(desk):
    outer = EmailMessage()
    outer["From"] = "Lucía García <lucia@example.es>"
    outer["To"] = "support@mesa.localhost"
    outer["Subject"] = "Reenvío la factura"
    outer["Message-ID"] = "<reenvio-1@example.es>"
    outer.set_content("Os reenvío el correo del proveedor y el informe.")
    outer.add_attachment(office("docx"), maintype="application", filename="informe.docx",
                         subtype="vnd.openxmlformats-officedocument.wordprocessingml.document")
    outer.add_attachment(email.message_from_bytes(an_email(subject="Re: Factura 3/4"), policy=email.policy.default))
    outer.add_attachment(EXE, maintype="application", subtype="octet-stream", filename="setup.exe")
    result = ingest.ingest(desk.factory, outer.as_bytes(), desk.settings, now=T0)
    assert result.status == "processed"
    with desk.reader() as session:
        messages = session.scalars(select(Message).where(Message.ticket_id == result.ticket_id)
                                   .options(selectinload(Message.attachments)).order_by(Message.id)).all()
        [customer, note] = messages
        files = {a.filename: a for a in customer.attachments}
        assert {name: a.content_type for name, a in files.items()} == {
            "informe.docx": filekinds.DOCX, "Re Factura 3-4.eml": "message/rfc822"}
        shown = eml.of_attachment(session, files["Re Factura 3-4.eml"])
        assert eml.of_attachment(session, files["informe.docx"]) is None
    assert (shown.subject, shown.sender) == ("Re: Factura 3/4", "Jürgen Pérez <jurgen@proveedor.example>")
    assert "señora Núñez" in shown.text and shown.files == ["marzo.pdf"]
    assert note.kind == "note" and "setup.exe: this looks like a Windows program" in note.body
    assert "application/" not in note.body
