"""Read-only queries behind the people list and a person's page."""

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from lever_cezanne.core.pagination import KeysetPage, keyset_page
from lever_cezanne.core.search import MAX_NAME_WORDS, has_words_starting, starts_with
from lever_cezanne.core.words import words_of
from lever_cezanne.extensions import db
from lever_cezanne.models import Document, Employment, Person


def matching_people(q: str):
    """Match people whose full name, surname, person code or e-mail starts with q.

    When nobody's does, match people with a word of the name starting with each word of q,
    ignoring case and accents ("aero" and "ærø" find Søren Ærø, "celik" finds Zoë
    Łukasiewicz-Çelik). No index answers that, so it is only asked once the indexed search has
    found nobody: the same people on every page of the results.
    """
    by_start = or_(
        starts_with(Person.full_name, q),
        starts_with(Person.surname, q),
        starts_with(Person.person_code, q),
        starts_with(Person.external_email, q),
    )
    words = words_of(q)[:MAX_NAME_WORDS]
    if not words or db.session.scalar(select(Person.id).where(by_start).limit(1)) is not None:
        return by_start
    return has_words_starting(Person.name_words, words)


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
