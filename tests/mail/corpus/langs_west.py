"""Corpus material, written for Mesa: customers, their replies and Mesa's message, per language (1 of 2).

In a reply, {me} is the customer's first name; in Mesa's message, {first} is the customer's first
name and {ticket} the ticket number. Header templates take {name}, {email} and {t} (a time).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Lang:
    code: str
    names: tuple[tuple[str, str], ...]
    subject: str
    agent: str
    replies: tuple[str, ...]
    gmail: str  # Gmail's reply header
    apple: str  # Apple Mail and iOS Mail
    thunderbird: str
    fields: tuple[str, str, str, str]  # From, Sent, To, Subject in Outlook
    sent: str  # the value of Outlook's Sent field
    original: str  # "Original Message"
    mobile: str  # "Sent from my iPhone"
    android: str  # Samsung's footer


EN = Lang(
    "en", (("Olivia Bennett", "olivia.bennett@gmail.example"), ("Marcus Reid", "m.reid@northwind.example"),
           ("Hannah Cole", "hannah@coleandsons.example")),
    "Invoice INV-2026-0213 missing",
    "Hello {first},\n\nWe have sent invoice INV-2026-0213 again to your billing address. Could you check your "
    "spam folder and tell us whether it arrived?\n\nKind regards,\nMesa Support\n\nTicket #{ticket} - reply to "
    "this email or open https://help.mesa.example/t/{ticket}",
    ("Hi,\n\nIt arrived this time, thank you. It was in the spam folder after all.\n\nBest,\n{me}",
     "Hello,\n\nStill nothing here. Could you send it to accounts@northwind.example instead?\n\nThanks,\n{me}",
     "Hi there,\n\nI can log in again, but the dashboard shows an empty chart for March.\n"
     "Is that expected while the data is imported?\n\nRegards,\n{me}",
     "Thanks for the quick answer!\n\nThe parcel was delivered this morning, you can close the ticket.\n\n{me}"),
    "On Mon, Mar 2, 2026 at {t} AM {name} <{email}> wrote:",
    "On 2 Mar 2026, at {t}, {name} <{email}> wrote:",
    "On 02/03/2026 {t}, {name} wrote:",
    ("From", "Sent", "To", "Subject"), "Monday, March 2, 2026 {t} AM", "Original Message", "Sent from my iPhone",
    "Sent from my Samsung Galaxy smartphone.",
)

ES = Lang(
    "es", (("Lucía Fernández", "lucia.fernandez@gmail.example"), ("Javier Ortega", "jortega@ferreteria-ortega.example"),
           ("Marta Ruiz", "marta.ruiz@clinicasol.example")),
    "No puedo entrar en mi cuenta",
    "Hola {first}:\n\nHemos restablecido tu contraseña. Prueba a entrar de nuevo y dinos si funciona.\n\n"
    "Un saludo,\nSoporte de Mesa\n\nTicket #{ticket}: responde a este correo o entra en https://help.mesa.example",
    ("Hola,\n\nYa puedo entrar, muchas gracias por la rapidez.\n\nUn saludo,\n{me}",
     "Buenos días:\n\nSigue sin funcionar. Me sale el mensaje \"Usuario bloqueado\" al tercer intento.\n"
     "¿Podéis desbloquearlo?\n\nGracias,\n{me}",
     "Hola,\n\nEl pedido 4471 aún no ha llegado y el seguimiento no se actualiza desde el lunes.\n\n"
     "Atentamente,\n{me}",
     "Perfecto, la factura ya aparece en el panel.\n\nSaludos,\n{me}"),
    "El lun, 2 mar 2026 a las {t}, {name} (<{email}>) escribió:",
    "El 2 mar 2026, a las {t}, {name} <{email}> escribió:",
    "El 2/3/26 a las {t}, {name} escribió:",
    ("De", "Enviado el", "Para", "Asunto"), "lunes, 2 de marzo de 2026 {t}", "Mensaje original",
    "Enviado desde mi iPhone", "Enviado desde mi smartphone Samsung Galaxy.",
)

PT = Lang(
    "pt", (("Beatriz Almeida", "beatriz.almeida@gmail.example"), ("Rafael Costa", "rafael@costaimoveis.example"),
           ("Inês Carvalho", "ines.carvalho@sapo.example")),
    "Entrega atrasada do pedido 8812",
    "Olá {first},\n\nVerificámos com a transportadora: a encomenda 8812 sai amanhã do armazém.\n\n"
    "Cumprimentos,\nSuporte Mesa\n\nPedido #{ticket}: responda a este e-mail para continuar.",
    ("Olá,\n\nRecebi hoje a encomenda, está tudo certo. Obrigada!\n\n{me}",
     "Boa tarde,\n\nO código de rastreio continua sem informação. Podem confirmar a morada de entrega?\n"
     "Rua das Flores, 12, 3.º esquerdo, Lisboa.\n\nObrigado,\n{me}",
     "Olá,\n\nNão consigo descarregar a fatura de fevereiro, o botão não faz nada.\n\nAtenciosamente,\n{me}",
     "Bom dia,\n\nJá consegui entrar com a nova senha. Podem fechar o pedido.\n\nAbraços,\n{me}"),
    "Em seg., 2 de mar. de 2026 às {t}, {name} <{email}> escreveu:",
    "Em 2 de mar. de 2026, à(s) {t}, {name} <{email}> escreveu:",
    "Em 02/03/2026 {t}, {name} escreveu:",
    ("De", "Enviado", "Para", "Assunto"), "segunda-feira, 2 de março de 2026 {t}", "Mensagem original",
    "Enviado do meu iPhone", "Enviado do meu smartphone Samsung Galaxy.",
)

FR = Lang(
    "fr", (("Camille Martin", "camille.martin@orange.example"), ("Julien Lefèvre", "j.lefevre@boulangerie-lf.example"),
           ("Sophie Bernard", "sophie.bernard@free.example")),
    "Facture de février introuvable",
    "Bonjour {first},\n\nNous vous avons renvoyé la facture de février. Pouvez-vous nous dire si vous l'avez "
    "bien reçue ?\n\nCordialement,\nLe support Mesa\n\nDemande n°{ticket} : répondez à ce message pour la suivre.",
    ("Bonjour,\n\nJe l'ai bien reçue, merci beaucoup.\n\nCordialement,\n{me}",
     "Bonjour,\n\nToujours rien de mon côté, même dans les indésirables.\nPourriez-vous l'envoyer à "
     "compta@boulangerie-lf.example ?\n\nBien à vous,\n{me}",
     "Bonjour,\n\nJe n'arrive plus à me connecter depuis la mise à jour : le code reçu par SMS est refusé.\n\n"
     "Merci d'avance,\n{me}",
     "Merci, le colis est arrivé ce matin. Vous pouvez clôturer la demande.\n\nBonne journée,\n{me}"),
    "Le lun. 2 mars 2026 à {t}, {name} <{email}> a écrit :",
    "Le 2 mars 2026 à {t}, {name} <{email}> a écrit :",
    "Le 02/03/2026 à {t}, {name} a écrit :",
    ("De", "Envoyé", "À", "Objet"), "lundi 2 mars 2026 {t}", "Message d'origine",
    "Envoyé de mon iPhone", "Envoyé depuis mon smartphone Samsung Galaxy.",
)

DE = Lang(
    "de", (("Lukas Schneider", "lukas.schneider@web.example"), ("Anna Weber", "a.weber@weber-bau.example"),
           ("Jonas Fischer", "jonas.fischer@gmx.example")),
    "Passwort zurücksetzen funktioniert nicht",
    "Hallo {first},\n\nwir haben Ihnen einen neuen Link zum Zurücksetzen des Passworts geschickt. Er ist "
    "24 Stunden gültig.\n\nViele Grüße\nIhr Mesa-Support\n\nAnfrage #{ticket}: Antworten Sie einfach auf diese E-Mail.",
    ("Hallo,\n\nder neue Link hat funktioniert, ich bin wieder drin. Danke!\n\nViele Grüße\n{me}",
     "Guten Tag,\n\nleider kommt auch diesmal keine E-Mail an. Unser Spamfilter meldet nichts.\n"
     "Können Sie die Adresse a.weber@weber-bau.example prüfen?\n\nMit freundlichen Grüßen\n{me}",
     "Hallo,\n\ndie Rechnung für März ist doppelt abgebucht worden. Bitte erstatten Sie einen Betrag.\n\n"
     "Beste Grüße\n{me}",
     "Danke, die Lieferung ist heute angekommen. Das Ticket kann geschlossen werden.\n\nGruß\n{me}"),
    "Am Mo., 2. März 2026 um {t} Uhr schrieb {name} <{email}>:",
    "Am 02.03.2026 um {t} schrieb {name} <{email}>:",
    "Am 02.03.26 um {t} schrieb {name}:",
    ("Von", "Gesendet", "An", "Betreff"), "Montag, 2. März 2026 {t}", "Ursprüngliche Nachricht",
    "Von meinem iPhone gesendet", "Von meinem Samsung Galaxy Smartphone gesendet.",
)

IT = Lang(
    "it", (("Giulia Romano", "giulia.romano@libero.example"), ("Marco Ricci", "marco@ricci-ottica.example"),
           ("Francesca Greco", "f.greco@tiscali.example")),
    "Ordine 5530 non consegnato",
    "Gentile {first},\n\nil corriere ci conferma che il pacco sarà consegnato domani entro le 18.\n\n"
    "Cordiali saluti,\nAssistenza Mesa\n\nRichiesta n. {ticket}: rispondi a questa email per aggiornarla.",
    ("Buongiorno,\n\nil pacco è arrivato, grazie mille per l'aiuto.\n\nSaluti,\n{me}",
     "Salve,\n\nnessuna consegna oggi e il tracking dice ancora \"in transito\".\nPotete verificare?\n\n"
     "Distinti saluti,\n{me}",
     "Buonasera,\n\nnon riesco a scaricare la fattura di marzo: il PDF risulta vuoto.\n\nGrazie,\n{me}",
     "Ciao,\n\nho cambiato la password e ora funziona tutto. Potete chiudere la richiesta.\n\n{me}"),
    "Il giorno lun 2 mar 2026 alle ore {t} {name} <{email}> ha scritto:",
    "Il giorno 2 mar 2026, alle ore {t}, {name} <{email}> ha scritto:",
    "Il 02/03/2026 {t}, {name} ha scritto:",
    ("Da", "Inviato", "A", "Oggetto"), "lunedì 2 marzo 2026 {t}", "Messaggio originale",
    "Inviato da iPhone", "Inviato dal mio smartphone Samsung Galaxy.",
)

NL = Lang(
    "nl", (("Sanne de Vries", "sanne.devries@ziggo.example"), ("Daan Jansen", "daan@jansen-installatie.example"),
           ("Emma Bakker", "emma.bakker@kpn.example")),
    "Factuur klopt niet",
    "Beste {first},\n\nWe hebben de factuur gecorrigeerd en opnieuw verstuurd. Het verschil wordt "
    "verrekend met de volgende maand.\n\nMet vriendelijke groet,\nMesa Support\n\nTicket #{ticket}: "
    "beantwoord deze e-mail om te reageren.",
    ("Hoi,\n\nDe nieuwe factuur is binnen en klopt nu. Bedankt!\n\nGroetjes,\n{me}",
     "Goedemiddag,\n\nIk zie nog steeds het oude bedrag in het portaal.\nKunnen jullie dat nakijken?\n\n"
     "Met vriendelijke groet,\n{me}",
     "Hallo,\n\nSinds vanochtend kan ik niet meer inloggen, ik krijg een foutmelding 403.\n\nGroeten,\n{me}",
     "Dank je, het pakket is vandaag bezorgd. Het ticket mag dicht.\n\n{me}"),
    "Op ma 2 mrt 2026 om {t} schreef {name} <{email}>:",
    "Op 2 mrt. 2026 om {t} heeft {name} <{email}> het volgende geschreven:",
    "Op 02-03-2026 om {t} schreef {name}:",
    ("Van", "Verzonden", "Aan", "Onderwerp"), "maandag 2 maart 2026 {t}", "Oorspronkelijk bericht",
    "Verzonden vanaf mijn iPhone", "Verzonden vanaf mijn Samsung Galaxy-smartphone.",
)

PL = Lang(
    "pl", (("Katarzyna Nowak", "k.nowak@wp.example"), ("Piotr Wiśniewski", "piotr@wisniewski-serwis.example"),
           ("Agnieszka Zielińska", "aga.zielinska@onet.example")),
    "Brak dostępu do konta",
    "Dzień dobry {first},\n\nzresetowaliśmy hasło do Pani/Pana konta. Proszę spróbować zalogować się "
    "ponownie.\n\nPozdrawiamy,\nZespół wsparcia Mesa\n\nZgłoszenie #{ticket}: odpowiedz na tę wiadomość.",
    ("Dzień dobry,\n\nlogowanie już działa, bardzo dziękuję.\n\nPozdrawiam,\n{me}",
     "Witam,\n\nniestety dalej pojawia się komunikat \"Nieprawidłowe hasło\".\nCzy mogą Państwo sprawdzić "
     "konto jeszcze raz?\n\nZ poważaniem,\n{me}",
     "Dzień dobry,\n\nfaktura za luty ma błędny NIP. Proszę o korektę.\n\nPozdrawiam,\n{me}",
     "Dziękuję, przesyłka dotarła dziś rano.\n\n{me}"),
    "W dniu pon., 2.03.2026 o {t} {name} <{email}> napisał(a):",
    "Wiadomość napisana przez {name} <{email}> w dniu 02.03.2026, o godz. {t}:",
    "W dniu 2.03.2026 o {t}, {name} pisze:",
    ("Od", "Wysłano", "Do", "Temat"), "poniedziałek, 2 marca 2026 {t}", "Wiadomość oryginalna",
    "Wysłane z iPhone'a", "Wysłane z mojego smartfona Samsung Galaxy.",
)

SV = Lang(
    "sv", (("Elin Johansson", "elin.johansson@telia.example"), ("Oskar Lindqvist", "oskar@lindqvist-el.example"),
           ("Maja Berg", "maja.berg@bredband.example")),
    "Leveransen har inte kommit",
    "Hej {first},\n\nVi har kontaktat transportören och paketet levereras på onsdag.\n\nVänliga hälsningar,\n"
    "Mesa support\n\nÄrende #{ticket}: svara på det här mejlet för att fortsätta.",
    ("Hej,\n\nPaketet kom i dag. Tack för hjälpen!\n\nHälsningar,\n{me}",
     "Hej igen,\n\nDet har fortfarande inte kommit något och spårningen visar ingenting.\n\n"
     "Med vänliga hälsningar,\n{me}",
     "Hej,\n\nJag kan inte logga in efter lösenordsbytet. Sidan laddar bara om.\n\nTack,\n{me}",
     "Tack, fakturan stämmer nu.\n\n{me}"),
    "Den mån 2 mars 2026 kl {t} skrev {name} <{email}>:",
    "{t} den 2 mars 2026 skrev {name} <{email}>:",
    "Den 2026-03-02 kl. {t}, skrev {name}:",
    ("Från", "Skickat", "Till", "Ämne"), "den 2 mars 2026 {t}", "Ursprungligt meddelande",
    "Skickat från min iPhone", "Skickat från min Samsung Galaxy-smartphone.",
)

DA = Lang(
    "da", (("Mette Nielsen", "mette.nielsen@mail.example"), ("Rasmus Holm", "rasmus@holm-vvs.example"),
           ("Freja Poulsen", "freja.poulsen@jubii.example")),
    "Kan ikke logge ind",
    "Hej {first},\n\nVi har nulstillet din adgangskode. Prøv at logge ind igen.\n\nMed venlig hilsen\n"
    "Mesa support\n\nSag #{ticket}: svar på denne mail for at fortsætte.",
    ("Hej,\n\nDet virker nu. Mange tak for hjælpen!\n\nMed venlig hilsen\n{me}",
     "Hej,\n\nJeg får stadig fejlen \"Konto låst\". Kan I låse den op?\n\nVenlig hilsen\n{me}",
     "Hej,\n\nFakturaen for februar er sendt to gange. Kan I kreditere den ene?\n\nMvh\n{me}",
     "Tak, pakken kom i går.\n\n{me}"),
    "Den man. 2. mar. 2026 kl. {t} skrev {name} <{email}>:",
    "Den 2. mar. 2026 kl. {t} skrev {name} <{email}>:",
    "Den 02-03-2026 kl. {t} skrev {name}:",
    ("Fra", "Sendt", "Til", "Emne"), "2. marts 2026 {t}", "Oprindelig meddelelse",
    "Sendt fra min iPhone", "Sendt fra min Samsung Galaxy-smartphone.",
)

WEST = (EN, ES, PT, FR, DE, IT, NL, PL, SV, DA)
