"""Hand-written corpus samples for the odd shapes: each is (file stem, raw email, expected reply)."""

from __future__ import annotations

HEAD = ("From: {sender}\nTo: Mesa Support <support@mesa.example>\nSubject: Re: [#{ticket}] {subject}\n"
        "Date: Tue, 3 Mar 2026 09:{minute:02d}:00 +0100\nMessage-ID: <edge.{ticket}@{domain}>\n"
        "In-Reply-To: <mesa.{ticket}.2@mesa.example>\nMIME-Version: 1.0\n"
        "Content-Type: text/{kind}; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n")
AGENT = "> Hello,\n>\n> Could you send us a screenshot of the error?\n>\n> Mesa Support"
AGENT_HTML = "<div>Hello,</div><div><br></div><div>Could you send us a screenshot of the error?</div>"

# (stem, sender, subject, kind, body, expected)
CASES = [
    ("en/gmail_iso_date", "Tomás Ribeiro <tomas@ribeiro.example>", "Export stuck at 99%", "plain",
     "The export finished overnight, all good now.\n\nTomás\n\n2026-03-02 11:28 GMT+03:00 Mesa Support <"
     "support@mesa.example>:\n\n{agent}\n", "The export finished overnight, all good now.\n\nTomás"),
    ("en/gmail_header_wrapped_blank", "Priya Nair <priya.nair@gmail.example>", "Cannot add a user", "plain",
     "Screenshot attached. The button stays grey.\n\nPriya\n\nOn Tue, Mar 3, 2026 at 9:12 AM, Mesa Support\n"
     "<support+x7k@mesa.example>\n\nwrote:\n\n{agent}\n", "Screenshot attached. The button stays grey.\n\nPriya"),
    ("en/thunderbird_no_space", "Greg Walsh <greg@walsh-roofing.example>", "Invoice address", "plain",
     "Please use the new address: 14 Mill Lane, Leeds.\n\nGreg\n\nOn 03/03/2026 09:12, Mesa Support<support@mesa"
     ".example>wrote:\n{agent}\n", "Please use the new address: 14 Mill Lane, Leeds.\n\nGreg"),
    ("en/zoho_dashed_header", "Nina Park <nina@parkdesign.example>", "Logo upload fails", "plain",
     "It works with a PNG, only SVG fails.\n\nNina\n\n---- On Tue, 03 Mar 2026 09:12:00 +0100 Mesa Support "
     "<support@mesa.example> wrote ----\n\nHello,\nCould you send us a screenshot of the error?\n",
     "It works with a PNG, only SVG fails.\n\nNina"),
    ("en/outlook_dashed_name", "Sam Okafor <sam.okafor@contoso.example>", "Delivery note", "plain",
     "Got it, thanks.\n\n---- Mesa Support wrote ----\n\nHello,\nYour delivery note is attached.\n",
     "Got it, thanks."),
    ("en/gmail_same_line", "Leo Brandt <leo.brandt@gmail.example>", "Password reset", "plain",
     "Works now, thank you! On Tue, Mar 3, 2026 at 9:12 AM Mesa Support <support@mesa.example> wrote:\n{agent}\n",
     "Works now, thank you!"),
    ("en/thunderbird_wrapped_link", "Ruth Adler <ruth@adler.example>", "Where is the report?", "plain",
     "On 03/03/2026 09:12, Mesa Support wrote:\n> The report is at https://help.mesa.example/reports/2026/03/export?"
     "token=9f8e7d6c5b4a\nb3c2d1e0\n> Please download it before Friday.\n\nThe link says \"expired\" already.\n\n"
     "Ruth\n", "The link says \"expired\" already.\n\nRuth"),
    ("en/hotmail_hr_date", "Kevin Moore <kevin.moore@hotmail.example>", "Refund", "html",
     "<html><body><div>Thanks, I see the refund on my card.</div><div>Kevin</div><hr>Date: Tue, 3 Mar 2026 09:12:00"
     " +0100<br>From: support@mesa.example<br>To: kevin.moore@hotmail.example<br>Subject: [#7] Refund<br><br>"
     "{agent_html}</body></html>", "Thanks, I see the refund on my card.\nKevin"),
    ("en/gmail_own_blockquote", "Maya Ito <maya.ito@gmail.example>", "Error on save", "html",
     "<div dir=\"ltr\"><div>This is the message I get:</div><blockquote class=\"gmail_quote\" style=\"margin:0 0 0"
     " 0.8ex;border-left:1px solid #ccc;padding-left:1ex\">Could not save: the record was changed by someone else"
     "</blockquote><div>It happens every time.</div></div><br><div class=\"gmail_quote\"><div dir=\"ltr\" class="
     "\"gmail_attr\">On Tue, Mar 3, 2026 at 9:12 AM Mesa Support &lt;support@mesa.example&gt; wrote:<br></div>"
     "<blockquote class=\"gmail_quote\">{agent_html}</blockquote></div>",
     "This is the message I get:\n\n> Could not save: the record was changed by someone else\n\n"
     "It happens every time."),
    ("en/apple_mail_own_blockquote", "Chris Lund <chris@lund.example>", "Terms", "html",
     "<html><body><div>Your terms say:</div><blockquote>Refunds are possible within 30 days.</blockquote>"
     "<div>So I should get one.</div><div><br><blockquote type=\"cite\"><div>On 3 Mar 2026, at 09:12, Mesa "
     "Support &lt;support@mesa.example&gt; wrote:</div>{agent_html}</blockquote></div></body></html>",
     "Your terms say:\n\n> Refunds are possible within 30 days.\n\nSo I should get one."),
    ("en/thunderbird_own_prompt_lines", "Ivan Petrov <ivan@petrov.dev.example>", "API error", "plain",
     "Here is what I ran:\n\n>>> import mesa\n>>> mesa.tickets.list()\nPermissionError: token expired\n\n"
     "Ivan\n\nOn Tue, Mar 3, 2026 at 9:12 AM Mesa Support <support@mesa.example> wrote:\n{agent}\n",
     "Here is what I ran:\n\n>>> import mesa\n>>> mesa.tickets.list()\nPermissionError: token expired\n\nIvan"),
    ("en/gmail_forward_is_content", "Dana Scott <dana.scott@gmail.example>", "Fwd: Payment failed", "plain",
     "---------- Forwarded message ---------\nFrom: Billing <billing@bank.example>\nDate: Mon, Mar 2, 2026 at "
     "6:00 PM\nSubject: Payment failed\nTo: <dana.scott@gmail.example>\n\nYour payment to Mesa could not be "
     "processed.\n", "---------- Forwarded message ---------\nFrom: Billing <billing@bank.example>\nDate: Mon, "
     "Mar 2, 2026 at 6:00 PM\nSubject: Payment failed\nTo: <dana.scott@gmail.example>\n\nYour payment to Mesa "
     "could not be processed."),
    ("de/thunderbird_forward_is_content", "Petra Lang <petra.lang@web.example>", "WG: Mahnung", "plain",
     "-------- Weitergeleitete Nachricht --------\nBetreff: Mahnung\nDatum: Mon, 2 Mar 2026 18:00:00 +0100\n"
     "Von: Buchhaltung <buchhaltung@lieferant.example>\n\nBitte begleichen Sie die Rechnung 4471.\n",
     "-------- Weitergeleitete Nachricht --------\nBetreff: Mahnung\nDatum: Mon, 2 Mar 2026 18:00:00 +0100\n"
     "Von: Buchhaltung <buchhaltung@lieferant.example>\n\nBitte begleichen Sie die Rechnung 4471."),
    ("es/blackberry_telcel", "Rocío Medina <rocio.medina@telcel.example>", "Factura duplicada", "plain",
     "Ya la revisé, es correcta.\n\nEnviado desde mi oficina móvil BlackBerry® de Telcel\n\n-----Original Message"
     "-----\nFrom: Mesa Support <support@mesa.example>\nDate: Tue, 3 Mar 2026 09:12:00\nTo: rocio.medina@telcel"
     ".example\nSubject: [#12] Factura duplicada\n\nHola Rocío, ¿puedes revisar la factura?\n",
     "Ya la revisé, es correcta."),
    ("en/ios_mailbox_footer", "Ben Harris <ben@harris.example>", "Delivery", "plain",
     "Arrived, thanks!\n\nSent from Mailbox for iPhone\n\n\nOn Tue, Mar 3, 2026 at 9:12 AM, Mesa Support <support"
     "@mesa.example> wrote:\n\n{agent}\n", "Arrived, thanks!"),
    ("en/mailman_list_footer", "Priya Shah <priya@shah.example>", "Release date", "plain",
     "Thanks!\n\n-Priya\n\n\n_______________________________________________\nmesa-users mailing list\n"
     "mesa-users@lists.mesa.example\nhttps://lists.mesa.example/listinfo/mesa-users\n", "Thanks!\n\n-Priya"),
    ("en/outlook_reply_message", "Alan Brooks <alan.brooks@brooks.example>", "Order 991", "plain",
     "Please cancel order 991.\n\nAlan\n\n-----Reply Message-----\nFrom: Mesa Support <support@mesa.example>\n"
     "To: Alan Brooks\nSent: 3/3/2026 9:12 AM\nSubject: [#44] Order 991\n\nHello Alan,\n", "Please cancel order "
     "991.\n\nAlan"),
    ("da/outlook_oprindelig", "Søren Kjær <soren@kjaer.example>", "Faktura", "plain",
     "Tak, det ser rigtigt ud nu.\n\nMed venlig hilsen\nSøren\n\n-----Oprindelig meddelelse-----\nFra: Mesa "
     "Support [mailto:support@mesa.example]\nSendt: 3. marts 2026 09:12\nTil: Søren Kjær\nEmne: [#31] Faktura\n\n"
     "Hej Søren,\n", "Tak, det ser rigtigt ud nu.\n\nMed venlig hilsen\nSøren"),
    ("nl/outlook_bold_fields", "Bram Visser <bram@visser.example>", "Inloggen", "plain",
     "Het werkt weer, dank jullie wel.\n\nBram\n\n*Van:* Mesa Support <support@mesa.example>\n*Verzonden:* "
     "dinsdag 3 maart 2026 09:12\n*Aan:* Bram Visser <bram@visser.example>\n*Onderwerp:* [#18] Inloggen\n\n"
     "Beste Bram,\n", "Het werkt weer, dank jullie wel.\n\nBram"),
    ("en/outlook_to_first", "Gina Russo <gina@russo.example>", "Shipping", "plain",
     "Tracking works now.\n\nGina\n\nTo: gina@russo.example\nFrom: support@mesa.example\nDate: Tue, 3 Mar 2026 "
     "09:12\nSubject: [#5] Shipping\n\nHello Gina,\n", "Tracking works now.\n\nGina"),
    ("en/github_notification", "Ola Nordmann <ola@nordmann.example>", "Webhook retries", "plain",
     "Retries look fine on our side now, thanks for the fix.\n\nOn Tue, Mar 3, 2026 at 9:12 AM Mesa "
     "<notifications@mesa.example> wrote:\n\n> Mesa Support commented on ticket #88.\n>\n> The webhook now "
     "retries three times.\n>\n> —\n> Reply to this email directly or view it on Mesa:\n> https://help.mesa"
     ".example/t/88\n> You are receiving this because you opened the ticket.\n",
     "Retries look fine on our side now, thanks for the fix."),
    ("en/outlook_unknown_language_after_signoff", "Eleni Papadaki <eleni@papadaki.example>", "Invoice", "plain",
     "The invoice is correct now.\n\nKind regards,\nEleni\n\nΑπό: Mesa Support <support@mesa.example>\n"
     "Στάλθηκε: Τρίτη, 3 Μαρτίου 2026 9:12 πμ\nΠρος: Eleni Papadaki\nΘέμα: [#70] Invoice\n\nHello Eleni,\n",
     "The invoice is correct now.\n\nKind regards,\nEleni"),
    ("en/gmail_sent_verb", "Omar Haddad <omar@haddad.example>", "VAT number", "plain",
     "Our VAT number is GB123456789.\n\nOmar\n\nOn Tue, Mar 3, 2026 at 9:12 AM, Mesa Support <support@mesa.example>"
     " sent:\n\n{agent}\n", "Our VAT number is GB123456789.\n\nOmar"),
    ("en/thunderbird_inline_answers", "Ruth Kim <ruth.kim@kim.example>", "Details", "plain",
     "On Tue, Mar 3, 2026 at 9:12 AM Mesa Support <support@mesa.example> wrote:\n> Which browser do you use?\n\n"
     "Safari 18.\n\n> And which page?\n\nThe invoices page.\n\nRuth\n",
     "Safari 18.\n\nThe invoices page.\n\nRuth"),
    ("en/gmail_prose_like_header", "Paul Grant <paul.grant@grant.example>", "Reports", "plain",
     "On Monday at 10:30 my colleague wrote to you about the same problem.\nShe saw this:\n\n"
     "Error 502 at 09:14\n\nPaul\n", "On Monday at 10:30 my colleague wrote to you about the same problem.\n"
     "She saw this:\n\nError 502 at 09:14\n\nPaul"),
    ("fr/thunderbird_html_cite", "Louise Girard <louise.girard@laposte.example>", "Colis", "html",
     "<html><body><p>Bonjour,</p><p>Le colis est bien arrivé.</p><div class=\"moz-cite-prefix\">Le 03/03/2026 à "
     "09:12, Mesa Support a écrit&nbsp;:<br></div><blockquote type=\"cite\">{agent_html}</blockquote></body>"
     "</html>", "Bonjour,\n\nLe colis est bien arrivé."),
]


def samples() -> list[tuple[str, bytes, str]]:
    out = []
    for number, (stem, sender, subject, kind, body, expected) in enumerate(CASES):
        head = HEAD.format(sender=sender, ticket=900 + number, subject=subject, minute=number,
                           domain=sender.split("@")[1].rstrip(">"), kind=kind)
        text = body.replace("{agent}", AGENT).replace("{agent_html}", AGENT_HTML)
        out.append((stem, (head + text).encode("utf-8"), expected))
    return out
