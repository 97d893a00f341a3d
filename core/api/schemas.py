"""The bodies the API accepts (JSON). Their values are checked by the services, as a page's form is."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TicketIn(Body):
    name: str
    email: str
    subject: str
    description: str
    kind: str = "question"
    priority: str = "normal"
    product_id: int | None = None
    locale: str = "en"


class TicketPatch(Body):
    status: str | None = None
    priority: str | None = None
    kind: str | None = None
    product_id: int | None = None
    assignee_id: int | None = None
    tags: list[str] | None = None


class RequesterIn(Body):
    email: str
    name: str
    locale: str = "en"


class RequesterPatch(Body):
    name: str | None = None
    locale: str | None = None
