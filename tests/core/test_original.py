"""Show the original email: decoded headers and parts, the HTML as text, the files, the cut quote."""

from __future__ import annotations

from core.mail import original

RAW = (b"From: =?utf-8?q?Luc=C3=ADa_Garc=C3=ADa?= <lucia@example.es>\r\n"
       b"To: support@mesa.localhost\r\nSubject: =?utf-8?b?wr9GYWN0dXJhIGR1cGxpY2FkYT8=?=\r\n"
       b"Date: Tue, 01 Dec 2026 10:00:00 +0100\r\nMessage-ID: <orig-1@example.es>\r\nMIME-Version: 1.0\r\n"
       b"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
       b"--b1\r\nContent-Type: multipart/alternative; boundary=\"b2\"\r\n\r\n"
       b"--b2\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
       b"Sigue duplicada, Luc=C3=ADa.\r\n\r\n"
       b"El lun, 30 nov 2026 a las 9:00, Soporte <support@mesa.localhost> escribi=\r\n"
       b"=C3=B3:\r\n> =C2=BFNos mandas una captura?\r\n\r\n"
       b"--b2\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
       b"<p>Sigue <b>duplicada</b>.</p><script>alert(1)</script>\r\n--b2--\r\n"
       b"--b1\r\nContent-Type: application/pdf; name=\"factura.pdf\"\r\nContent-Disposition: attachment; "
       b"filename=\"factura.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b1--\r\n")


def test_the_original_is_readable_text_not_its_transfer_encoding():
    email = original.read(RAW)
    headers = dict(email.headers)
    assert headers["From"] == "Lucía García <lucia@example.es>" and headers["Subject"] == "¿Factura duplicada?"
    assert "Sigue duplicada, Lucía." in email.text and "=C3" not in email.text
    assert email.html_text == "Sigue duplicada." and "alert" not in email.html_text  # text, never markup
    assert email.files == [("factura.pdf", "application/pdf", 9)]
    assert "¿Nos mandas una captura?" in email.quoted and "Sigue duplicada" not in email.quoted
    assert email.raw == RAW


def test_a_broken_email_still_opens_with_what_could_be_read():
    email = original.read(b"Subject: =?x-unknown?q?abc?=\r\nContent-Type: text/plain; charset=nonsense\r\n\r\n\xff\xfe")
    assert email.raw.startswith(b"Subject") and isinstance(email.text, str)
