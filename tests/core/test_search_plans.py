"""The pickers stay fast with many rows: prefix searches are answered from indexes."""

import os
import re
from datetime import date

import pytest
from sqlalchemy import insert, select, text

from lever_cezanne.accounts.search import search_hr_professionals
from lever_cezanne.core.word_search import rebuild_words
from lever_cezanne.models import Company, Gender, Person, User
from lever_cezanne.org.search import search_companies
from lever_cezanne.people.queries import people_page

ON_POSTGRES = bool(os.environ.get("TEST_DATABASE_URL"))
ROWS = 3000


@pytest.fixture
def many_rows(db):
    db.session.execute(
        insert(Company),
        [{"code": f"C{n:05}", "name": f"Firm {n:05}", "active": n % 3 != 0} for n in range(ROWS)],
    )
    db.session.execute(
        insert(User),
        [
            {
                "username": f"u{n:05}",
                "display_name": f"Person {n:05}",
                "email": f"u{n:05}@example.com",
                "password_hash": "not-a-hash",
                "role": "hr",
            }
            for n in range(ROWS)
        ],
    )
    gender_id = db.session.scalar(select(Gender.id))
    db.session.execute(
        insert(Person),
        [
            {
                "person_code": f"LEV-{n:05}",
                "first_name": "First",
                "surname": f"Surname{n:05}",
                "known_as": "First",
                "full_name": f"First Surname{n:05}",
                "legal_name": f"First Surname{n:05}",
                "gender_id": gender_id,
                "date_of_birth": date(1990, 1, 1),
                "external_email": f"p{n:05}@example.com",
            }
            for n in range(ROWS)
        ],
    )
    rebuild_words(Company)
    rebuild_words(User)
    db.session.commit()
    if ON_POSTGRES:
        for table in ("companies", "users", "people", "company_words", "user_words"):
            db.session.execute(text(f"ANALYZE {table}"))


def test_searches_find_the_right_rows_among_thousands(many_rows, client, admin, login_as):
    login_as(admin)

    companies = client.get("/search/companies?q=c0001").get_json()["results"]
    users = client.get("/admin/search/users?q=person 0002").get_json()["results"]

    # Every third company is inactive: 12, 15 and 18 are left out.
    assert [r["value"] for r in companies] == [f"C000{n}" for n in (10, 11, 13, 14, 16, 17, 19)]
    assert len(users) == 10 and users[0]["value"] == "u00020"


def test_people_search_and_deep_pages_among_thousands(many_rows, client, admin, login_as):
    login_as(admin)

    found = client.get("/people?q=lev-0123").get_data(as_text=True)
    assert found.count("First Surname0123") == 10

    url, pages = "/people", 0
    while url:
        html = client.get(url).get_data(as_text=True)
        pages += 1
        next_link = re.search(r'href="(/people\?after=\d+)"', html)
        url = next_link.group(1) if next_link else None
    assert pages == ROWS // 50 and "First Surname00000" in html


def _keep(statements: list, statement, values) -> list:
    """Keep a statement with the values it was executed with; return no rows."""
    statements.append((statement, values or {}))
    return []


def _plan(db, statement, values=None) -> str:
    # The SQL and parameters as executed: IN lists expanded, the values bound at execution set.
    expanded = statement.compile(dialect=db.engine.dialect).construct_expanded_state(values)
    # Forbid sequential scans: the plan then shows one only if no index can answer the query.
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    rows = db.session.connection().exec_driver_sql(
        f"EXPLAIN {expanded.statement}", expanded.parameters
    )
    return "\n".join(row[0] for row in rows)


@pytest.mark.skipif(not ON_POSTGRES, reason="query plans are checked on PostgreSQL")
def test_postgres_answers_picker_searches_from_indexes(db, many_rows, monkeypatch):
    statements = []
    monkeypatch.setattr(
        db.session, "scalars", lambda stmt, values=None: _keep(statements, stmt, values)
    )
    search_companies("firm 01")
    search_hr_professionals("u0001")
    people_page("surname0001")
    people_page(after="1500")
    monkeypatch.undo()

    for statement, values in statements:
        plan = _plan(db, statement, values)
        assert "Seq Scan" not in plan, plan
        assert "Index" in plan, plan


@pytest.mark.skipif(not ON_POSTGRES, reason="index definitions are PostgreSQL's")
def test_postgres_indexes_serve_prefix_search_under_any_collation(db):
    definitions = db.session.scalars(
        text(
            "SELECT indexdef FROM pg_indexes WHERE indexname LIKE '%\\_lower' "
            "AND tablename IN ('users', 'companies', 'people')"
        )
    ).all()

    assert len(definitions) == 9
    assert all("text_pattern_ops" in d for d in definitions), definitions


@pytest.mark.skipif(not ON_POSTGRES, reason="query plans are checked on PostgreSQL")
def test_postgres_checks_a_second_word_on_the_word_index_entry(db, many_rows, monkeypatch):
    statements = []
    monkeypatch.setattr(
        db.session, "scalars", lambda stmt, values=None: _keep(statements, stmt, values)
    )
    search_companies("firm c0001")
    search_hr_professionals("person u0002")
    monkeypatch.undo()

    # The rarer word ("c0001": 10 rows, "firm": 3,000) is walked, the other checked on each
    # index entry's row_words; word rows are read only for a row_words too long to keep.
    for (statement, values), (walked, checked) in zip(
        statements, (("c0001", "firm"), ("u0002", "person")), strict=True
    ):
        plan = _plan(db, statement, values)
        assert re.search(r"Index Only Scan using ix_\w+_words_word_\w+_id", plan), plan
        assert f"Index Cond: ((word ~>=~ '{walked}'::text)" in plan, plan
        assert f"(row_words ~~ '% {checked}%'::text) OR" in plan, plan
        assert "Seq Scan" not in plan, plan
