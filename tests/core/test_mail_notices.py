"""Every email template, customer emails and staff notices: complete in both languages, user text
escaped in HTML only, clickable links, ticket subjects that start with the number, no internal notes."""

from __future__ import annotations

from typing import Any

import jinja2
import pytest
from jinja2 import meta, nodes
from markupsafe import escape

from core import i18n
from core.mail.templates import TEMPLATE_DIR, TEMPLATES, Rendered, environment, render

LOCALES = i18n.LOCALES
PARTS = ("subject.txt", "txt", "html")
LINK = "http://localhost:8501/ticket?ticket=42&token=abc"
LINK_IN_HTML = "http://localhost:8501/ticket?ticket=42&amp;token=abc"
FILE = {"name": "steps.pdf", "url": "http://localhost:8501/a/1?ticket=42&token=abc"}
FILE_URL_IN_HTML = "http://localhost:8501/a/1?ticket=42&amp;token=abc"
TICKET = dict(ticket_number=42, subject="Cannot log in", requester_name="Olivia Brown", link=LINK)
NUMBERS = [
    {"label": "New tickets", "value": "128", "change": "+12%"},
    {"label": "Median first reply", "value": "3 h 10 min", "change": "−8%"},
    {"label": "Satisfaction", "value": "94%", "change": ""},
]
CONTEXTS: dict[str, dict[str, Any]] = {
    # customer emails
    "ticket_received": {**TICKET, "summary": "The app says invalid credentials.", "first_contact": False},
    "lost_link": TICKET,
    "verify_email": dict(name="Olivia Brown", link=LINK),
    "password_reset": dict(name="Olivia Brown", link=LINK),
    "agent_replied": {**TICKET, "reply_body": "Please try again.\nIt works now.", "agent_name": "Ana Ruiz",
                      "attachments": [FILE]},
    "ticket_solved": {**TICKET, "survey_links": [{"score": s, "url": f"http://localhost:8501/survey?score={s}"}
                                                 for s in range(1, 6)],
                      "by_customer": False, "reply_body": "It works now.\nThe export was fixed.",
                      "agent_name": "Ana Ruiz"},
    "info_needed": {**TICKET, "reply_body": "Which browser do you use?\nA screenshot would help.",
                    "agent_name": "Ana Ruiz", "attachments": [FILE]},
    "pending_reminder": {**TICKET, "days": 3},
    "ticket_closed": TICKET,
    "follow_up_opened": {**TICKET, "previous_number": 41},
    "ticket_merged": {**TICKET, "target_number": 40},
    "follower_update": dict(ticket_number=42, subject="Cannot log in", requester_name="Olivia Brown",
                            follower_name="Tom Baker", agent_name="Ana Ruiz", reply_body="Please try again.\nIt works.",
                            files=["steps.pdf"]),
    # staff emails
    "set_password": dict(name="Liam Carter", link=LINK, role="agent", days=7),
    "agent_new_ticket": {**TICKET, "requester_email": "olivia@example.com",
                         "summary": "The app says invalid credentials.\nSince this morning."},
    "agent_assigned": {**TICKET, "assigned_by": "Maria Lopez"},
    "mail_too_large": dict(ticket_number=42, subject="Cannot log in", link=LINK, size_mb="120.5", limit_mb="70"),
    "agent_customer_replied": {**TICKET, "reply_body": "Still broken.\nI use Firefox."},
    "agent_low_score": {**TICKET, "score": 2, "comment": "Slow answer.\nThe fix did not work."},
    "manager_digest": dict(period="16–22 Nov 2026", numbers=NUMBERS, link=LINK,
                           times_link="http://localhost:8501/response-times"),
}
STAFF = ("set_password", "agent_new_ticket", "agent_assigned", "agent_customer_replied", "agent_low_score",
         "manager_digest")
CUSTOMER = tuple(name for name in TEMPLATES if name not in STAFF)
TICKET_TEMPLATES = [name for name in TEMPLATES if "ticket_number" in CONTEXTS[name]]
FOOTERS = {
    ("en", False): "You are receiving this because you wrote to Mesa support.",
    ("es", False): "Recibes este correo porque escribiste al soporte de Mesa.",
    ("en", True): "You are receiving this because you have a staff account at Mesa.",
    ("es", True): "Recibes este correo porque tienes una cuenta en el equipo de soporte de Mesa.",
}
# what people type or name themselves: shown as text in HTML, never as markup
USER_TEXT = ("subject", "requester_name", "requester_email", "reply_body", "comment", "summary", "agent_name",
             "assigned_by", "name", "period", "follower_name")
MULTILINE = ("reply_body", "comment", "summary")
SUBJECTS = {
    ("info_needed", "en"): "[#42] Re: Cannot log in",
    ("info_needed", "es"): "[#42] Re: Cannot log in",
    ("pending_reminder", "en"): "[#42] Waiting for your answer: Cannot log in",
    ("pending_reminder", "es"): "[#42] Esperamos tu respuesta: Cannot log in",
    ("ticket_closed", "en"): "[#42] Closed: Cannot log in",
    ("ticket_closed", "es"): "[#42] Cerrado: Cannot log in",
    ("follow_up_opened", "en"): "[#42] Follow-up to #41: Cannot log in",
    ("follow_up_opened", "es"): "[#42] Seguimiento del #41: Cannot log in",
    ("ticket_merged", "en"): "[#42] Merged into #40: Cannot log in",
    ("ticket_merged", "es"): "[#42] Fusionado con el #40: Cannot log in",
    ("set_password", "en"): "You're invited to the Mesa help desk",
    ("set_password", "es"): "Te han invitado al equipo de soporte de Mesa",
    ("agent_new_ticket", "en"): "[#42] New ticket: Cannot log in",
    ("agent_new_ticket", "es"): "[#42] Nuevo ticket: Cannot log in",
    ("agent_assigned", "en"): "[#42] Assigned to you: Cannot log in",
    ("agent_assigned", "es"): "[#42] Asignado a ti: Cannot log in",
    ("agent_customer_replied", "en"): "[#42] New reply from Olivia Brown: Cannot log in",
    ("agent_customer_replied", "es"): "[#42] Nueva respuesta de Olivia Brown: Cannot log in",
    ("agent_low_score", "en"): "[#42] Low score (2/5): Cannot log in",
    ("agent_low_score", "es"): "[#42] Valoración baja (2/5): Cannot log in",
    ("manager_digest", "en"): "Your weekly help-desk summary: 16–22 Nov 2026",
    ("manager_digest", "es"): "Tu resumen semanal del soporte: 16–22 Nov 2026",
}


def _render(template: str, locale: str, /, **changes: object) -> Rendered:
    return render(template, locale, product_name="Mesa", **{**CONTEXTS[template], **changes})


def _everything(rendered: Rendered) -> str:
    return rendered.subject + rendered.text + rendered.html


def _variables(name: str, locale: str) -> set[str]:
    """The context variables the three parts of a template read (not counting the shared layouts)."""
    env = environment()
    used: set[str] = set()
    for part in PARTS:
        source = env.loader.get_source(env, f"{locale}/{name}.{part}")[0]
        tree = env.parse(source)
        # names the template binds itself: {% import ... as ui %} and top-level {% set %} (read from its blocks)
        own = {node.target for node in tree.find_all(nodes.Import)}
        own |= {node.name for node in tree.find_all(nodes.Name) if node.ctx == "store"}
        used |= meta.find_undeclared_variables(tree) - own
    return used


def _keys(value: object) -> set[str]:
    """Every dict key in a context, nested ones (list items) included."""
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in _keys(item)}
    if isinstance(value, list | tuple):
        return {key for item in value for key in _keys(item)}
    return set()


def test_every_template_has_a_sample_context_and_an_audience():
    assert set(CONTEXTS) == set(TEMPLATES)
    assert set(STAFF) < set(TEMPLATES)


@pytest.mark.parametrize("name", TEMPLATES)
@pytest.mark.parametrize("locale", LOCALES)
def test_every_part_exists(name, locale):
    for part in PARTS:
        assert (TEMPLATE_DIR / locale / f"{name}.{part}").is_file()


@pytest.mark.parametrize("name", TEMPLATES)
def test_renders_in_both_languages_and_they_differ(name):
    english, spanish = _render(name, "en"), _render(name, "es")
    for rendered in (english, spanish):
        assert rendered.subject and rendered.text.strip() and rendered.html.strip()
        assert "\n" not in rendered.subject
    assert english.text != spanish.text and english.html != spanish.html
    # a reply's subject is "[#N] Re: <ticket subject>" in every language: "Re:" keeps Gmail's thread
    assert english.subject != spanish.subject or english.subject == "[#42] Re: Cannot log in"
    assert '<html lang="en">' in english.html and '<html lang="es">' in spanish.html
    staff = name in STAFF
    for locale, rendered in (("en", english), ("es", spanish)):
        assert FOOTERS[locale, staff] in rendered.text and FOOTERS[locale, staff] in rendered.html
        assert FOOTERS[locale, not staff] not in rendered.text + rendered.html


@pytest.mark.parametrize(("name", "locale"), list(SUBJECTS))
def test_subjects_read_naturally(name, locale):
    assert _render(name, locale).subject == SUBJECTS[name, locale]


@pytest.mark.parametrize("name", TEMPLATES)
@pytest.mark.parametrize("locale", LOCALES)
def test_sample_context_is_exactly_what_the_template_reads(name, locale):
    used = _variables(name, locale)
    assert used - {"product_name"} == set(CONTEXTS[name])


@pytest.mark.parametrize(("name", "key"), [(name, key) for name in TEMPLATES
                                           for key in ["product_name", *CONTEXTS[name]]])
@pytest.mark.parametrize("locale", LOCALES)
def test_every_variable_is_required(name, key, locale):
    context = {"product_name": "Mesa", **CONTEXTS[name]}
    context.pop(key)
    with pytest.raises(jinja2.UndefinedError):
        render(name, locale, **context)


NO_LINK = ("follower_update",)  # a CC'd person gets no customer-page link: it would act as the requester


@pytest.mark.parametrize("name", [name for name in TEMPLATES if name not in NO_LINK])
@pytest.mark.parametrize("locale", LOCALES)
def test_link_is_clickable_in_html_and_raw_in_text(name, locale):
    rendered = _render(name, locale)
    assert f'href="{LINK_IN_HTML}"' in rendered.html
    assert f">{LINK_IN_HTML}</a>" in rendered.html  # the address itself, for when the button does not show
    assert LINK in rendered.text
    assert "&amp;" not in rendered.text


@pytest.mark.parametrize("name", TICKET_TEMPLATES)
@pytest.mark.parametrize("locale", LOCALES)
def test_ticket_subjects_start_with_the_number(name, locale):
    assert _render(name, locale).subject.startswith("[#42] ")
    assert _render(name, locale, ticket_number=7, previous_number=6).subject.startswith("[#7] ")


@pytest.mark.parametrize("name", TEMPLATES)
@pytest.mark.parametrize("locale", LOCALES)
def test_user_text_is_escaped_in_html_and_verbatim_in_text(name, locale):
    fields = [field for field in USER_TEXT if field in CONTEXTS[name]]
    assert fields, "every template shows some user text"
    payloads = {field: f'{field} & "x" <script>alert(1)</script>' for field in fields}
    rendered = _render(name, locale, **payloads)
    assert "<script>" not in rendered.html
    for field, payload in payloads.items():
        assert str(escape(payload)) in rendered.html, field
        assert payload in rendered.text, field
    for field in ("subject", "period"):
        if field in payloads:
            assert payloads[field] in rendered.subject


@pytest.mark.parametrize("name", TEMPLATES)
@pytest.mark.parametrize("locale", LOCALES)
def test_user_text_with_line_breaks_keeps_the_subject_on_one_line(name, locale):
    fields = [field for field in USER_TEXT if field in CONTEXTS[name]]
    subject = _render(name, locale, **{field: "Hello\r\nBcc: x@y\n\tmore" for field in fields}).subject
    assert "\r" not in subject and "\n" not in subject
    if "subject" in fields or "period" in fields:
        assert subject.endswith("Hello Bcc: x@y more")


def _multiline(name: str) -> list[str]:
    return [field for field in MULTILINE if "\n" in CONTEXTS[name].get(field, "")]


@pytest.mark.parametrize("name", [name for name in TEMPLATES if _multiline(name)])
@pytest.mark.parametrize("locale", LOCALES)
def test_message_text_keeps_its_lines(name, locale):
    rendered = _render(name, locale)
    for field in _multiline(name):
        first, second = CONTEXTS[name][field].split("\n")
        assert f"{first}<br>\n{second}" in rendered.html
        assert f"    {first}\n    {second}" in rendered.text


@pytest.mark.parametrize("locale", LOCALES)
def test_lists_of_user_text_are_escaped_too(locale):
    attack = '<img src=x onerror="alert(1)">'
    for name in ("agent_replied", "info_needed"):
        rendered = _render(name, locale, attachments=[{"name": attack, "url": FILE["url"]}])
        assert "<img" not in rendered.html and str(escape(attack)) in rendered.html and attack in rendered.text
    rendered = _render("manager_digest", locale, numbers=[{"label": attack, "value": attack, "change": attack}])
    assert "<img" not in rendered.html and rendered.html.count(str(escape(attack))) == 3
    assert rendered.text.count(attack) == 3


@pytest.mark.parametrize("name", TEMPLATES)
def test_no_context_key_is_about_notes(name):
    assert not [key for key in _keys(CONTEXTS[name]) if "note" in key.lower()]
    for locale in LOCALES:
        assert not [key for key in _variables(name, locale) if "note" in key.lower()]


def test_no_template_mentions_internal_notes():
    files = sorted(TEMPLATE_DIR.rglob("*.*"))
    assert len(files) >= 3 * len(TEMPLATES) * len(LOCALES)
    for path in files:
        text = path.read_text(encoding="utf-8").lower()
        for word in ("note", "nota", "internal", "interna", "private", "privad"):
            assert word not in text, f"{path.relative_to(TEMPLATE_DIR)} mentions {word!r}"


@pytest.mark.parametrize("name", TEMPLATES)
@pytest.mark.parametrize("locale", LOCALES)
def test_extra_context_never_leaks(name, locale):
    secret = "Customer seems angry, offer a refund"
    rendered = _render(name, locale, internal_note=secret, notes=[{"body": secret}])
    assert secret not in _everything(rendered)
    assert rendered == _render(name, locale)


# -- customer emails ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("locale", "ask"), [("en", "We need your answer to go on."),
                                             ("es", "Necesitamos tu respuesta para continuar.")])
def test_info_needed_asks_clearly_for_an_answer(locale, ask):
    rendered = _render("info_needed", locale)
    assert ask in rendered.html and ask in rendered.text
    assert "Ana Ruiz" in rendered.html and "Ana Ruiz" in rendered.text
    assert f'href="{FILE_URL_IN_HTML}"' in rendered.html and FILE["url"] in rendered.text
    assert "steps.pdf" not in _everything(_render("info_needed", locale, attachments=[]))


@pytest.mark.parametrize(("locale", "one", "many", "solved"), [
    ("en", "for 1 day.", "for 5 days.", "mark your ticket as solved"),
    ("es", "lleva 1 día esperando", "lleva 5 días esperando", "marquemos tu ticket como"),
])
def test_pending_reminder_counts_days_and_warns_gently(locale, one, many, solved):
    rendered = _render("pending_reminder", locale, days=1)
    assert one in rendered.html and one in rendered.text
    rendered = _render("pending_reminder", locale, days=5)
    assert many in rendered.html and many in rendered.text
    assert solved in rendered.html
    assert solved.split()[-1] in rendered.text


@pytest.mark.parametrize(("locale", "follow_up"), [("en", "new follow-up ticket linked to this one"),
                                                   ("es", "ticket de seguimiento nuevo, enlazado con este")])
def test_closed_ticket_explains_that_a_reply_opens_a_follow_up(locale, follow_up):
    rendered = _render("ticket_closed", locale)
    assert follow_up in rendered.html
    assert follow_up.split()[0] in rendered.text and "#42" in rendered.text


@pytest.mark.parametrize("locale", LOCALES)
def test_follow_up_names_both_tickets(locale):
    rendered = _render("follow_up_opened", locale)
    for part in (rendered.subject, rendered.text, rendered.html):
        assert "#42" in part and "#41" in part


# -- staff emails -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("locale", "roles"), [
    ("en", {"agent": "Agent", "manager": "Manager", "admin": "Administrator"}),
    ("es", {"agent": "Agente", "manager": "Responsable", "admin": "Administrador"}),
])
def test_invitation_shows_the_translated_role(locale, roles):
    for role, label in roles.items():
        rendered = _render("set_password", locale, role=role)
        assert f"<strong>{label}</strong>" in rendered.html and label in rendered.text
    with pytest.raises(jinja2.UndefinedError):
        _render("set_password", locale, role="owner")


@pytest.mark.parametrize(("locale", "one", "many"), [("en", "valid for 1 day.", "valid for 7 days."),
                                                     ("es", "válido durante 1 día.", "válido durante 7 días.")])
def test_invitation_says_how_long_the_link_lasts(locale, one, many):
    assert many in _render("set_password", locale).text
    rendered = _render("set_password", locale, days=1)
    assert one in rendered.text and one in rendered.html


@pytest.mark.parametrize("locale", LOCALES)
def test_new_ticket_notice_shows_who_wrote(locale):
    rendered = _render("agent_new_ticket", locale)
    assert "Olivia Brown (olivia@example.com)" in rendered.text
    assert "olivia@example.com" in rendered.html


@pytest.mark.parametrize("locale", LOCALES)
def test_assignment_notice_says_who_assigned(locale):
    rendered = _render("agent_assigned", locale)
    assert "Maria Lopez" in rendered.text and "<strong>Maria Lopez</strong>" in rendered.html


@pytest.mark.parametrize(("locale", "labels", "no_comment"), [
    ("en", ["Very bad", "Bad", "Okay", "Good", "Very good"], "They left no comment."),
    ("es", ["Muy mal", "Mal", "Regular", "Bien", "Muy bien"], "No ha dejado ningún comentario."),
])
def test_low_score_shows_the_score_and_the_comment_if_any(locale, labels, no_comment):
    for score, label in enumerate(labels, start=1):
        rendered = _render("agent_low_score", locale, score=score)
        assert f"{score}/5 ({label})" in rendered.text and f"{score}/5 ({label})" in rendered.html
        assert f"({score}/5)" in rendered.subject
    rendered = _render("agent_low_score", locale)
    assert "Slow answer." in rendered.text and no_comment not in rendered.text + rendered.html
    rendered = _render("agent_low_score", locale, comment="")
    assert no_comment in rendered.text and no_comment in rendered.html


@pytest.mark.parametrize(("locale", "versus"), [("en", "vs. last week"), ("es", "frente a la semana anterior")])
def test_digest_lists_every_number(locale, versus):
    rendered = _render("manager_digest", locale)
    for item in NUMBERS:
        assert item["label"] in rendered.html and item["value"] in rendered.html
        assert f"- {item['label']}: {item['value']}" in rendered.text
    assert f"(+12% {versus})" in rendered.text
    assert "- Satisfaction: 94%\n" in rendered.text  # no change: nothing in brackets
    assert ">—</td>" in rendered.html
    empty = _render("manager_digest", locale, numbers=[])
    assert "<th" not in empty.html and "New tickets" not in empty.html
    assert "New tickets" not in empty.text
