"""Read-only queries behind the people list and a person's page."""

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from lever_cezanne.core.pagination import KeysetPage, keyset_page
from lever_cezanne.core.search import starts_with
from lever_cezanne.extensions import db
from lever_cezanne.models import Document, Employment, Person


def matching_people(q: str):
    """Match people whose full name, surname, person code or e-mail starts with q."""
    return or_(
        starts_with(Person.full_name, q),
        starts_with(Person.surname, q),
        starts_with(Person.person_code, q),
        starts_with(Person.external_email, q),
    )


def people_page(q: str = "", after: str | None = None, before: str | None = None) -> KeysetPage:
    """Return a page of people, newest first, optionally filtered by a search."""
    query = select(Person).options(selectinload(Person.employments).joinedload(Employment.company))
    if q.strip():
        query = query.where(matching_people(q))
    return keyset_page(query, [Person.id], lambda p: (p.id,), [int], after, before)


def person_documents(person: Person) -> list[Document]:
    """Return a person's Documents, newest first (without their bytes)."""
    return list(
        db.session.scalars(
            select(Document)
            .where(Document.person_id == person.id)
            .order_by(Document.fetched_at.desc(), Document.id.desc())
        )
    )
