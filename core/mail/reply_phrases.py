"""What mail clients write around a reply, per language: the data `core.mail.quotes` reads.

Nothing here is a regular expression: plain phrases, matched whole and without regard to case by
the engine (`core.mail.reply_rules` compiles them). To teach Mesa a language or a client, add its
phrases here and a sample to `tests/mail/corpus/`.

- leads: words that open a reply header ("On" in "On Mon, 2 Mar 2026, Ana wrote:")
- wrote: the verb of a reply header, wherever it stands ("wrote", "schrieb", "a écrit")
- fields: Outlook header-block field names by kind (from, sent, to, cc, subject)
- separators: the title of an original-message rule ("-----Original Message-----")
- forwards: the title of a forwarded message ("---------- Forwarded message ----------")
- mobile: a mobile or webmail footer line, "…" standing for the device ("Sent from my …",
  "Von meinem … gesendet", "…から送信")
- signoffs: a closing line ("Kind regards,") after which an unknown header block is history
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Language:
    leads: tuple[str, ...] = ()
    wrote: tuple[str, ...] = ()
    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    separators: tuple[str, ...] = ()
    forwards: tuple[str, ...] = ()
    mobile: tuple[str, ...] = ()
    signoffs: tuple[str, ...] = ()


def _fields(sender: str, sent: str, to: str, cc: str, subject: str) -> dict[str, tuple[str, ...]]:
    """Field names by kind; several names of one kind are separated by "|"."""
    return {kind: tuple(names.split("|")) for kind, names in
            (("from", sender), ("sent", sent), ("to", to), ("cc", cc), ("subject", subject))}


LANGUAGES: dict[str, Language] = {
    "en": Language(
        leads=("On",), wrote=("wrote",),  # "<ana@x.example> sent:" is read by its address
        fields=_fields("From", "Sent|Date|Sent on", "To", "Cc|Bcc", "Subject"),
        separators=("Original Message", "Reply Message", "Original Email"),
        forwards=("Forwarded message", "Begin forwarded message", "Forwarded Message"),
        mobile=("Sent from my …", "Sent from Mailbox …", "Sent from Yahoo Mail …", "Sent from Outlook …",
                "Sent from Mail for …", "Get Outlook for …", "Sent via BlackBerry …", "Sent wirelessly from …",
                "Sent from AOL Mobile …", "Sent from Samsung …", "Sent with BlackBerry …"),
        signoffs=("Thanks", "Thank you", "Many thanks", "Kind regards", "Best regards", "Regards", "Best", "Cheers"),
    ),
    "es": Language(
        leads=("El",), wrote=("escribió", "escribio"),
        fields=_fields("De", "Enviado|Enviado el|Fecha", "Para", "CC|CCO", "Asunto"),
        separators=("Mensaje original",), forwards=("Mensaje reenviado", "Inicio del mensaje reenviado"),
        mobile=("Enviado desde mi …", "Enviado desde Outlook …", "Enviado desde Correo …",
                "Enviado desde Yahoo Mail …", "Obtener Outlook para …"),
        signoffs=("Saludos", "Un saludo", "Gracias", "Muchas gracias", "Atentamente", "Un abrazo"),
    ),
    "pt": Language(
        leads=("Em", "No dia"), wrote=("escreveu",),
        fields=_fields("De", "Enviado|Enviada|Enviada em|Data", "Para", "Cc", "Assunto"),
        separators=("Mensagem original",),
        forwards=("Mensagem encaminhada", "Mensagem reencaminhada", "Início da mensagem reencaminhada"),
        mobile=("Enviado do meu …", "Enviado do Outlook …", "Enviado a partir do meu …", "Obter o Outlook para …"),
        signoffs=("Obrigado", "Obrigada", "Atenciosamente", "Cumprimentos", "Abraços"),
    ),
    "fr": Language(
        leads=("Le",), wrote=("a écrit", "a ecrit"),
        fields=_fields("De", "Envoyé|Envoyé le|Date", "À|A", "Cc", "Objet"),
        separators=("Message d'origine", "Message original"),
        forwards=("Message transféré", "Début du message réexpédié", "Message transmis"),
        mobile=("Envoyé de mon …", "Envoyé depuis mon …", "Envoyé depuis Outlook …", "Obtenir Outlook pour …"),
        signoffs=("Cordialement", "Bien cordialement", "Merci", "Bonne journée", "Bien à vous"),
    ),
    "de": Language(
        leads=("Am",), wrote=("schrieb", "hat geschrieben"),
        fields=_fields("Von", "Gesendet|Datum", "An", "Cc|Kopie", "Betreff"),
        separators=("Ursprüngliche Nachricht", "Originalnachricht"),
        forwards=("Weitergeleitete Nachricht", "Anfang der weitergeleiteten Nachricht"),
        mobile=("Von meinem … gesendet", "Gesendet von meinem …", "Gesendet von Outlook …", "Gesendet mit der …",
                "Outlook für … herunterladen"),
        signoffs=("Mit freundlichen Grüßen", "Viele Grüße", "Beste Grüße", "Danke", "Vielen Dank", "Gruß"),
    ),
    "it": Language(
        leads=("Il",), wrote=("ha scritto",),
        fields=_fields("Da", "Inviato|Data", "A", "Cc", "Oggetto"),
        separators=("Messaggio originale",), forwards=("Messaggio inoltrato", "Inizio messaggio inoltrato"),
        mobile=("Inviato da iPhone", "Inviato dal mio …", "Inviato da Outlook …", "Scarica Outlook per …"),
        signoffs=("Cordiali saluti", "Distinti saluti", "Saluti", "Grazie", "Grazie mille"),
    ),
    "nl": Language(
        leads=("Op",), wrote=("schreef", "het volgende geschreven", "heeft het volgende geschreven"),
        fields=_fields("Van", "Verzonden|Datum", "Aan", "CC", "Onderwerp"),
        separators=("Oorspronkelijk bericht", "Origineel bericht"),
        forwards=("Doorgestuurd bericht", "Begin doorgestuurd bericht"),
        mobile=("Verzonden vanaf mijn …", "Verstuurd vanaf mijn …", "Verzonden met Outlook …",
                "Outlook voor … downloaden"),
        signoffs=("Met vriendelijke groet", "Vriendelijke groet", "Groeten", "Groetjes", "Bedankt"),
    ),
    "pl": Language(
        leads=("W dniu", "Dnia"), wrote=("napisał(a)", "napisał", "napisała", "pisze", "napisana przez"),
        fields=_fields("Od", "Wysłano|Wysłane|Data", "Do", "DW|Kopia", "Temat"),
        separators=("Wiadomość oryginalna", "Oryginalna wiadomość"),
        forwards=("Przekazana wiadomość", "Wiadomość przekazana", "Przekazywana wiadomość"),
        mobile=("Wysłane z iPhone…", "Wysłane z mojego …", "Wysłano z mojego …", "Wysłane z aplikacji …"),
        signoffs=("Pozdrawiam", "Z poważaniem", "Dziękuję", "Pozdrowienia"),
    ),
    "sv": Language(
        leads=("Den",), wrote=("skrev",),
        fields=_fields("Från", "Skickat|Datum", "Till", "Kopia", "Ämne"),
        separators=("Ursprungligt meddelande", "Originalmeddelande"), forwards=("Vidarebefordrat meddelande",),
        mobile=("Skickat från min …", "Skickat från Outlook …"),
        signoffs=("Med vänliga hälsningar", "Vänliga hälsningar", "Hälsningar", "Tack"),
    ),
    "da": Language(
        leads=("Den",), wrote=("skrev",),
        fields=_fields("Fra", "Sendt|Dato", "Til", "Cc", "Emne"),
        separators=("Oprindelig meddelelse", "Original meddelelse"),
        forwards=("Videresendt meddelelse", "Videresendt besked"),
        mobile=("Sendt fra min …", "Sendt fra Outlook …"),
        signoffs=("Med venlig hilsen", "Venlig hilsen", "Mvh", "Tak"),
    ),
    "nb": Language(
        leads=("Den", "På"), wrote=("skrev",),
        fields=_fields("Fra", "Sendt|Dato", "Til", "Kopi", "Emne"),
        separators=("Opprinnelig melding", "Original melding"), forwards=("Videresendt melding",),
        mobile=("Sendt fra min …", "Sendt fra Outlook …"),
        signoffs=("Med vennlig hilsen", "Vennlig hilsen", "Mvh", "Takk"),
    ),
    "fi": Language(
        wrote=("kirjoitti",),
        fields=_fields("Lähettäjä", "Lähetetty|Päivämäärä", "Vastaanottaja", "Kopio", "Aihe"),
        separators=("Alkuperäinen viesti",), forwards=("Välitetty viesti", "Edelleenlähetetty viesti"),
        mobile=("Lähetetty iPhonesta", "Lähetetty Android…", "Lähetetty Samsung …", "Lähetetty mobiili…"),
        signoffs=("Ystävällisin terveisin", "Terveisin", "Kiitos"),
    ),
    "ru": Language(
        wrote=("написал(а)", "написал", "написала", "пишет"),
        fields=_fields("От", "Отправлено|Дата", "Кому", "Копия", "Тема"),
        separators=("Исходное сообщение", "Оригинальное сообщение"),
        forwards=("Пересылаемое сообщение", "Пересланное сообщение", "Начало переадресованного сообщения"),
        mobile=("Отправлено с iPhone", "Отправлено с устройства …", "Отправлено из мобильной …",
                "Отправлено из приложения …", "Отправлено с моего …"),
                signoffs=("С уважением", "Спасибо", "Всего доброго"),
    ),
    "uk": Language(
        wrote=("написав(-ла)", "написав", "написала", "пише"),
        fields=_fields("Від", "Надіслано|Дата", "Кому", "Копія", "Тема"),
        separators=("Оригінальне повідомлення", "Вихідне повідомлення"),
        forwards=("Пересланий лист", "Переслане повідомлення"),
        mobile=("Надіслано з iPhone", "Надіслано з пристрою …", "Надіслано з мого …"),
        signoffs=("З повагою", "Дякую", "Щиро дякую"),
    ),
    "tr": Language(
        wrote=("şunu yazdı", "yazdı"),
        fields=_fields("Kimden", "Gönderildi|Gönderilme|Tarih", "Kime", "Bilgi|CC", "Konu"),
        separators=("Orijinal ileti", "Özgün ileti", "Orijinal mesaj"),
        forwards=("İletilen ileti", "Yönlendirilen ileti"),
        mobile=("…'umdan gönderildi", "…'dan gönderildi", "…'den gönderildi", "…'tan gönderildi",
                "… cihazımdan gönderildi"),
        signoffs=("Saygılarımla", "Teşekkürler", "İyi çalışmalar"),
    ),
    "ja": Language(
        wrote=("のメール", "は書きました", "さんは書きました"),
        fields=_fields("差出人", "送信日時|日付", "宛先", "CC", "件名"),
        separators=("元のメッセージ",), forwards=("転送メッセージ", "転送されたメッセージ"),
        mobile=("…から送信",), signoffs=("よろしくお願いいたします", "よろしくお願いします", "宜しくお願いします"),
    ),
    "zh": Language(
        wrote=("写道", "寫道"),
        fields=_fields("发件人|寄件者|發件人", "发送时间|日期|寄件日期|發送時間", "收件人",
                       "抄送|副本", "主题|主旨|主題"),
        separators=("原始邮件", "原始郵件"), forwards=("转发的邮件", "轉寄的郵件", "转发邮件"),
        mobile=("发自我的…", "從我的 … 傳送", "来自我的…"), signoffs=("谢谢", "謝謝", "此致", "祝好"),
    ),
    "ko": Language(
        wrote=("님이 작성", "작성", "쓴 글"),
        fields=_fields("보낸 사람", "보낸 날짜", "받는 사람", "참조", "제목"),
        separators=("원본 메일", "원본 메시지"), forwards=("전달된 메일", "전달된 메시지"),
        mobile=("…에서 보냄",), signoffs=("감사합니다", "감사드립니다"),
    ),
    "vi": Language(
        leads=("Vào",), wrote=("đã viết",),
        fields=_fields("Từ", "Đã gửi|Ngày", "Đến", "CC", "Chủ đề"),
        separators=("Thư gốc",), forwards=("Thư đã chuyển tiếp", "Thư chuyển tiếp"),
        mobile=("Gửi từ iPhone …", "Gửi từ điện thoại …", "Gửi từ Samsung …"),
        signoffs=("Trân trọng", "Cảm ơn", "Cám ơn"),
    ),
}

# a mailing list's footer under a rule: "riak-users mailing list" / ".../listinfo/..."
LIST_FOOTERS = ("mailing list", "listinfo", "To unsubscribe", "unsubscribe from this group")
