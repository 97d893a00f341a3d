"""The SQL store: SQLAlchemy 2 typed models.

Times are stored as naive UTC and come back as aware UTC datetimes (UTCDateTime),
so SQLite and PostgreSQL behave the same.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, naive UTC on disk."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use aware UTC datetimes")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime()}


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16), default="customer")
    password_hash: Mapped[str | None] = mapped_column(String(100))
    locale: Mapped[str] = mapped_column(String(5), default="en")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    email_verified_at: Mapped[datetime | None]
    # sign-in sessions that started before it are over (sign-out, new password, deactivation)
    sessions_valid_after: Mapped[datetime | None] = mapped_column(default=None)
    # staff two-factor (core.accounts.twofactor): the TOTP secret once enrolled, the last time step
    # accepted (no code twice), and the unused recovery codes as SHA-256 hashes
    totp_secret: Mapped[str | None] = mapped_column(String(64), default=None)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(default=None)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger, default=None)
    recovery_codes: Mapped[list | None] = mapped_column(JSON, default=None)
    # the identity provider's verified address an admin mapped to this staff account (single sign-on)
    sso_email: Mapped[str | None] = mapped_column(String(254), default=None)
    # choices kept with the person, not the browser (core.accounts.preferences): the queue's sort
    preferences: Mapped[dict | None] = mapped_column(JSON, default=None)
    # may write help-center articles (admins always may)
    writes_help: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_users_role_active", "role", "active"),
                      Index("ix_users_sso_email", "sso_email", unique=True))


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Ticket(Base):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    subject: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    status: Mapped[str] = mapped_column(String(8), default="new")
    channel: Mapped[str] = mapped_column(String(8), default="web")
    locale: Mapped[str] = mapped_column(String(5), default="en")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    follow_up_of_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    solved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    close_reason: Mapped[str | None] = mapped_column(String(8))  # None | spam | merged: no survey
    version: Mapped[int] = mapped_column(Integer, default=1)
    # an imported ticket (core.imports): its organization, and its number where it came from ("zendesk:123")
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), default=None)
    external_id: Mapped[str | None] = mapped_column(String(80), default=None)
    # when it was imported: the automations leave alone what happened before (no old ticket closed or reminded)
    imported_at: Mapped[datetime | None] = mapped_column(default=None)

    requester: Mapped[User] = relationship(foreign_keys=[requester_id], lazy="joined")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    product: Mapped[Product | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_tickets_status_updated", "status", "updated_at"),
        Index("ix_tickets_assignee_status_updated", "assignee_id", "status", "updated_at"),
        Index("ix_tickets_requester_created", "requester_id", "created_at"),
        Index("ix_tickets_created", "created_at"),
        Index("ix_tickets_solved", "solved_at"),
        Index("ix_tickets_follow_up_of", "follow_up_of_id"),
        Index("ix_tickets_external_id", "external_id", unique=True),
    )


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(8))  # customer | agent | note
    body: Mapped[str] = mapped_column(Text)
    via: Mapped[str] = mapped_column(String(8), default="web")  # web | email
    # the author is the account it names, unproven (web form without signing in, failed mail checks)
    sender_unverified: Mapped[bool] = mapped_column(default=False, server_default=false())
    email_message_id: Mapped[str | None] = mapped_column(String(998), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="message", order_by="Attachment.id", cascade="all, delete-orphan"
    )

    __table_args__ = (Index("ix_messages_ticket_created", "ticket_id", "created_at"),)


class AttachmentBlob(Base):
    """Attachment content, stored once per distinct sha256."""

    __tablename__ = "attachment_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int]
    content: Mapped[bytes] = mapped_column(LargeBinary)


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    sha256: Mapped[str] = mapped_column(ForeignKey("attachment_blobs.sha256"))
    # a bounded image preview (core.tickets.previews), the only picture pages draw; None: shown as a file
    preview_sha256: Mapped[str | None] = mapped_column(ForeignKey("attachment_blobs.sha256"), default=None)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    message: Mapped[Message] = relationship(back_populates="attachments")

    __table_args__ = (Index("ix_attachments_message", "message_id"), Index("ix_attachments_sha256", "sha256"))


class TicketEvent(Base):
    """One change of one field of a ticket; `version` is the ticket's version after it."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    field: Mapped[str] = mapped_column(String(32))
    old: Mapped[str | None] = mapped_column(String(255))
    new: Mapped[str | None] = mapped_column(String(255))
    version: Mapped[int]

    __table_args__ = (
        Index("ix_ticket_events_ticket_version", "ticket_id", "version"),
        Index("ix_ticket_events_field_at", "field", "at"),
        Index("ix_ticket_events_field_new_at", "field", "new", "at"),  # solved per day, from the index alone
    )


class TicketTag(Base):
    """One tag of a ticket: lowercase letters, digits, - and _ (core.tickets.service.set_tags checks them)."""

    __tablename__ = "ticket_tags"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(40), primary_key=True)

    __table_args__ = (Index("ix_ticket_tags_tag", "tag", "ticket_id"),)


class TicketFollower(Base):
    """Someone else on a ticket's conversation (CC'd on the customer's email, or added by an agent): they get
    the public answers by email, and their email replies are public messages (core.tickets.followers)."""

    __tablename__ = "ticket_followers"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # the agent; None: from an email
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class TicketPresence(Base):
    """Who has a ticket open on the workbench; `seen_at` is refreshed while the page stays open."""

    __tablename__ = "ticket_presence"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    seen_at: Mapped[datetime]


class AccessToken(Base):
    """A secret link: only the sha256 of the token is stored."""

    __tablename__ = "access_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(24))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_access_tokens_ticket_purpose", "ticket_id", "purpose"),)


class Outbox(Base):
    """An email to send; written in the same transaction as the change that caused it."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    template: Mapped[str] = mapped_column(String(40))
    to_address: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(5), default="en")
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    message_id: Mapped[str] = mapped_column(String(998), unique=True)
    in_reply_to: Mapped[str | None] = mapped_column(String(998))
    references: Mapped[str | None] = mapped_column(Text)
    headers: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(8), default="queued")  # queued|sending|sent|dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    smtp_response: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_outbox_status_next", "status", "next_attempt_at"),
        Index("ix_outbox_ticket", "ticket_id"),
        Index("ix_outbox_template_to", "template", "to_address", "created_at"),
    )


class InboundMail(Base):
    """A raw email as received, kept whether or not it could be used."""

    __tablename__ = "inbound_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str | None] = mapped_column(String(998), unique=True)
    from_address: Mapped[str | None] = mapped_column(String(254))
    subject: Mapped[str | None] = mapped_column(String(998))
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(12), default="received")
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_inbound_mail_status", "status"),)


class Survey(Base):
    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), unique=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    score: Mapped[int | None]
    comment: Mapped[str | None] = mapped_column(Text)
    responded_at: Mapped[datetime | None]
    followed_up_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_surveys_sent", "sent_at"),
        Index("ix_surveys_responded", "responded_at"),
        # the satisfaction dashboard's counts and sums read these alone (core.reports.satisfaction)
        Index("ix_surveys_sent_score", "sent_at", "score"),
        Index("ix_surveys_responded_score", "responded_at", "score"),
    )


VALUE_INDEXES = (  # milestone, its minutes, its business minutes, its period, due and breached columns
    ("first_reply", "first_reply_minutes", "first_reply_business_minutes", "ticket_created_at", "first_reply_due_at",
     "first_reply_breached"),
    ("resolution", "full_resolution_minutes", "full_resolution_business_minutes", "ticket_solved_at",
     "resolution_due_at", "resolution_breached"),
)
DIMENSION_COPIES = ("ticket_assignee_id", "ticket_product_id", "ticket_kind", "ticket_channel")


class TicketMetrics(Base):
    """Per-ticket numbers kept current on every event; dashboards aggregate these."""

    __tablename__ = "ticket_metrics"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    first_reply_at: Mapped[datetime | None]
    first_reply_minutes: Mapped[int | None]
    first_reply_business_minutes: Mapped[int | None]
    first_resolution_minutes: Mapped[int | None]
    first_resolution_business_minutes: Mapped[int | None]
    full_resolution_minutes: Mapped[int | None]
    full_resolution_business_minutes: Mapped[int | None]
    requester_wait_minutes: Mapped[int] = mapped_column(Integer, default=0)
    requester_wait_business_minutes: Mapped[int | None]
    agent_wait_minutes: Mapped[int] = mapped_column(Integer, default=0)
    agent_wait_business_minutes: Mapped[int | None]
    on_hold_minutes: Mapped[int] = mapped_column(Integer, default=0)
    on_hold_business_minutes: Mapped[int | None]
    reopens: Mapped[int] = mapped_column(Integer, default=0)
    replies: Mapped[int] = mapped_column(Integer, default=0)
    first_reply_due_at: Mapped[datetime | None]
    resolution_due_at: Mapped[datetime | None]
    first_reply_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    resolution_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Copies of the ticket's fields the dashboards filter and group on, written with the rest of the row on
    # every refresh, so their period filters, percentiles and SLA counts read this table alone, never a join.
    ticket_created_at: Mapped[datetime | None]
    ticket_solved_at: Mapped[datetime | None]
    ticket_priority: Mapped[str | None] = mapped_column(String(8))
    ticket_assignee_id: Mapped[int | None]
    ticket_product_id: Mapped[int | None]
    ticket_kind: Mapped[str | None] = mapped_column(String(16))
    ticket_channel: Mapped[str | None] = mapped_column(String(8))

    __table_args__ = (
        Index("ix_ticket_metrics_first_reply_due", "first_reply_due_at"),
        Index("ix_ticket_metrics_resolution_due", "resolution_due_at"),
        # A long period's percentiles and SLA counts read a value index in value order, grouped by value
        # (core.reports.times): (value, period, due, breached), or (priority, value, ...) per priority.
        *[Index(f"ix_ticket_metrics_{prefix}{name}{kind}", *lead, value, period, due, breached)
          for name, minutes, business_minutes, period, due, breached in VALUE_INDEXES
          for kind, value in (("", minutes), ("_business", business_minutes))
          for prefix, lead in (("", ()), ("priority_", ("ticket_priority",)))],
        # Counts and SLA attainment per period: a range of the period column, the rest read from the index.
        # The grouped percentiles of any filter or grouping (agent, product, kind, channel, week) read it too.
        Index("ix_ticket_metrics_created", "ticket_created_at", "ticket_priority", "first_reply_breached",
              "first_reply_due_at", "first_reply_at", "first_reply_minutes", "first_reply_business_minutes",
              *DIMENSION_COPIES),
        Index("ix_ticket_metrics_solved", "ticket_solved_at", "ticket_priority", "resolution_breached",
              "resolution_due_at", "full_resolution_minutes", "full_resolution_business_minutes", *DIMENSION_COPIES),
    )


class TicketMetricDay(Base):
    """Each UTC day's response-time milestones counted per priority ('*': all of them) and bucket of the minutes
    (core.reports.rollup.bucket). Written only by migration 0022's triggers on ticket_metrics, never by the app."""

    __tablename__ = "ticket_metric_days"

    milestone: Mapped[str] = mapped_column(String(24), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    priority: Mapped[str] = mapped_column(String(8), primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    tickets: Mapped[int]
    targets: Mapped[int]
    met: Mapped[int]


class SlaPolicy(Base):
    __tablename__ = "sla_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    priority: Mapped[str] = mapped_column(String(8), unique=True)
    first_reply_minutes: Mapped[int]
    resolution_minutes: Mapped[int]
    business_hours: Mapped[bool] = mapped_column(Boolean, default=True)


class DeskSettings(Base):
    """The desk's own settings, edited by the admin: one row (id 1).

    The business-hours schedule (days 0 = Monday; start and end in minutes after local
    midnight; holidays as ISO dates) and the automation timings (NULL: the MESA_ setting).
    """

    __tablename__ = "desk_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    work_days: Mapped[list] = mapped_column(JSON)
    day_start: Mapped[int] = mapped_column(Integer)
    day_end: Mapped[int] = mapped_column(Integer)
    timezone: Mapped[str] = mapped_column(String(64))
    holidays: Mapped[list] = mapped_column(JSON)
    close_after_days: Mapped[int | None]
    reminder_after_days: Mapped[int | None]
    auto_solve_after_days: Mapped[int | None]
    survey_delay_minutes: Mapped[int | None]
    staff_two_factor: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    staff_sso_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CannedResponse(Base):
    __tablename__ = "canned_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(5), default="en")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HelpSection(Base):
    """A category (no parent) or a section of one, in the help center; its names per locale."""

    __tablename__ = "help_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("help_sections.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    names: Mapped[dict] = mapped_column(JSON, default=dict)  # {"en": "Tickets", "es": "Tickets"}


class HelpArticle(Base):
    """A help-center article: one slug (its URL), a status, tags; its words are in HelpTranslation."""

    __tablename__ = "help_articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    section_id: Mapped[int | None] = mapped_column(ForeignKey("help_sections.id"))
    status: Mapped[str] = mapped_column(String(10), default="draft")  # draft, published, archived
    tags: Mapped[list] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # the ticket whose reply it was drafted from, if any
    from_ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_help_articles_status_position", "status", "position"),)


class HelpTranslation(Base):
    """An article in one language: what readers see and search."""

    __tablename__ = "help_translations"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("help_articles.id"))
    locale: Mapped[str] = mapped_column(String(5))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(400), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_help_translations_article_locale", "article_id", "locale", unique=True),)


class HelpVersion(Base):
    """One saved state of a translation: who changed what, and what to restore."""

    __tablename__ = "help_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("help_articles.id"))
    locale: Mapped[str] = mapped_column(String(5))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(400), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_help_versions_article_locale", "article_id", "locale", "id"),)


class HelpVote(Base):
    """"Was this article helpful?": one vote per visitor (an account, or a browser's visitor id, hashed)."""

    __tablename__ = "help_votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("help_articles.id"))
    voter: Mapped[str] = mapped_column(String(64))
    helpful: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str | None] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(5))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_help_votes_article_voter", "article_id", "voter", unique=True),
                      Index("ix_help_votes_at", "at"))


class HelpActivity(Base):
    """What readers did, for the knowledge dashboard: a view, a search (its query and result count), a suggestion
    shown on the new-ticket form, a suggestion that answered the question (a ticket avoided), and the articles
    suggested to a ticket that was sent anyway."""

    __tablename__ = "help_activity"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # view, search, suggest, deflect, ticket
    at: Mapped[datetime] = mapped_column(default=utcnow)
    locale: Mapped[str] = mapped_column(String(5))
    article_id: Mapped[int | None] = mapped_column(ForeignKey("help_articles.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    query: Mapped[str | None] = mapped_column(String(200))
    results: Mapped[int | None] = mapped_column(Integer)

    # covering the knowledge dashboard's aggregates (core.help.stats): a period's rows of one kind, read from the
    # index alone; and the searches that found nothing, by query
    __table_args__ = (Index("ix_help_activity_kind_at", "kind", "at", "article_id", "ticket_id"),
                      Index("ix_help_activity_kind_results_at", "kind", "results", "at", "query"),
                      Index("ix_help_activity_article_kind", "article_id", "kind"),
                      Index("ix_help_activity_ticket", "ticket_id"))


class RateEvent(Base):
    """One counted attempt (a ticket sent, a bad token) for rate limits; the key is hashed."""

    __tablename__ = "rate_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    bucket: Mapped[str] = mapped_column(String(24))
    key_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_rate_events_bucket_key_at", "bucket", "key_hash", "at"),)


# ---------------------------------------------------------------- REST API (issue 21): tokens

class ApiToken(Base):
    """A bearer token for the REST API (core.api.tokens): only the sha256 of its secret is stored.

    A personal token acts as its owner (their role decides, on every request); a service token is an
    admin's, for another system, and says so. `scopes` is a list of core.api.tokens.SCOPES."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(8), default="personal")  # personal | service
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # the secret's first characters, to tell tokens apart
    scopes: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)

    user: Mapped[User] = relationship()

    __table_args__ = (Index("ix_api_tokens_user", "user_id"),)


# ---------------------------------------------------------------- import (core.imports)

class Organization(Base):
    """A customer's company, as another help desk kept it (Zendesk's organizations); imported tickets name it."""

    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    external_id: Mapped[str | None] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# ---------------------------------------------------------------- webhooks (issue 21): endpoints, deliveries, breaches

class WebhookEndpoint(Base):
    """A URL an admin registered for some events; every delivery to it is signed with its secret
    (HMAC-SHA256: the secret must be kept as it is to sign, so it is stored and revealable by admins)."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(200), default="")
    events: Mapped[list] = mapped_column(JSON)  # event types, core.hooks.endpoints.EVENTS
    secret: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class WebhookDelivery(Base):
    """One event for one endpoint: written in the change's transaction (core.notify), posted by the worker.

    `key` is the delivery id: the same on every try, so the receiver can use it as an idempotency key."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(36), unique=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)  # the JSON sent, exactly as signed
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), default="queued")  # queued|sending|delivered|dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None]
    response_status: Mapped[int | None]
    response_excerpt: Mapped[str | None] = mapped_column(Text)
    response_ms: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_attempt_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_endpoint", "endpoint_id", "id"),
    )


class WebhookAttempt(Base):
    """One try of a delivery, kept for the admin's log: when, the answer's status and first characters, how
    long it took, what went wrong. A delivery's own response_* columns hold only its latest try."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_deliveries.id", ondelete="CASCADE"))
    attempted_at: Mapped[datetime]
    response_status: Mapped[int | None]
    response_excerpt: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_webhook_attempts_delivery", "delivery_id", "id"),)


class SlaBreach(Base):
    """A live ticket's SLA target passed unmet, once per ticket and target (core.hooks.breaches)."""

    __tablename__ = "sla_breaches"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    target: Mapped[str] = mapped_column(String(12), primary_key=True)  # first_reply|resolution
    due_at: Mapped[datetime]
    noticed_at: Mapped[datetime] = mapped_column(default=utcnow)
