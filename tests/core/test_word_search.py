"""The word tables behind the pickers: row_words, its size limit and the walked word."""

import random
import string

from sqlalchemy import select

from lever_cezanne.core import word_search
from lever_cezanne.models import Company, CompanyWord
from lever_cezanne.models.search_words import ROW_WORDS_MAX_BYTES, WORD_MAX
from lever_cezanne.org.search import search_companies


def _row_words(db, company: Company) -> set:
    return set(
        db.session.scalars(
            select(CompanyWord.row_words).where(CompanyWord.company_id == company.id)
        )
    )


def test_every_word_row_carries_all_the_rows_words(db, make_company):
    company = make_company("IE-01", "Société Générale Éire")

    assert _row_words(db, company) == {" ie 01 societe generale eire"}


def test_a_rename_rewrites_row_words_so_multi_word_searches_follow(db, make_company):
    company = make_company("OLD", "Old Name Ltd")
    company.name = "Fresh Start Ltd"
    db.session.commit()

    assert _row_words(db, company) == {" old fresh start ltd"}
    assert search_companies("fresh ltd") == [company]
    assert search_companies("old name") == []


def test_row_words_too_long_for_an_index_entry_is_null_and_still_searched(
    db, make_company, monkeypatch
):
    monkeypatch.setattr(word_search, "ROW_WORDS_MAX_BYTES", 20)
    long = make_company("WID", "Widget Ireland Limited Holdings")
    short = make_company("AB", "Acme Bits")

    assert _row_words(db, long) == {None}
    assert _row_words(db, short) == {" ab acme bits"}
    assert search_companies("ireland hold") == [long]
    assert search_companies("hold wid") == [long]
    assert search_companies("ireland acme") == []
    assert search_companies("acme bi") == [short]


def test_row_words_of_measures_bytes_not_characters():
    assert word_search.row_words_of(["a", "b"]) == " a b"
    assert word_search.row_words_of(["x" * (ROW_WORDS_MAX_BYTES - 1)]) is not None
    assert word_search.row_words_of(["é" * (ROW_WORDS_MAX_BYTES // 2)]) is None


def test_the_largest_allowed_entry_fits_the_word_index(db):
    # The longest word (4-byte characters) with row_words at its limit, uncompressible: on
    # PostgreSQL a btree entry over about 2,700 bytes would be refused with an error.
    company = Company(code="BIG", name="Big")
    db.session.add(company)
    db.session.flush()
    rng = random.Random(18)
    noise = "".join(rng.choice(string.ascii_letters) for _ in range(ROW_WORDS_MAX_BYTES - 1))
    db.session.execute(
        CompanyWord.__table__.insert(),
        {"company_id": company.id, "word": "\U0001f600" * WORD_MAX, "row_words": " " + noise},
    )
    db.session.commit()

    stored = db.session.scalar(
        select(CompanyWord.row_words).where(CompanyWord.word.like("\U0001f600%"))
    )
    assert len(stored.encode()) == ROW_WORDS_MAX_BYTES


def test_the_rarest_typed_word_is_walked_else_the_longest(db, make_company, monkeypatch):
    monkeypatch.setattr(word_search, "RARE", 2)
    for name in ("Acme One", "Acme Two", "Acme Three", "Zed Acme"):
        make_company(name=name)

    assert word_search._lead(CompanyWord, ["a", "zed"]) == "zed"  # "a": 4 rows, "zed": 1
    assert word_search._lead(CompanyWord, ["co", "acme"]) == "acme"  # both common: the longest
    assert word_search._lead(CompanyWord, ["t", "o"]) == "o"  # the rarer: 1 row against 2
    assert [c.name for c in search_companies("a zed")] == ["Zed Acme"]


def test_an_underscore_in_a_checked_word_is_literal(db, make_company):
    # "_" is a word character, and a LIKE wildcard unless escaped. "acme" (2 rows) is walked,
    # so "a_b" (3 rows) is checked against each row's row_words: " axb acme" must not match.
    make_company("AXB", "Acme")
    wanted = make_company("A_B1", "Acme")
    make_company("A_B2", "Widget")
    make_company("A_B3", "Widget")

    assert word_search._lead(CompanyWord, ["acme", "a_b"]) == "acme"
    assert search_companies("acme a_b") == [wanted]
    assert search_companies("acme a_") == [wanted]


def test_a_query_as_long_as_a_picker_accepts_is_answered(client, hr_user, login_as, make_company):
    # The endpoint keeps the first 100 characters: here 36 distinct words and a 37th, each
    # counted and checked on the row.
    every = " ".join("abcdefghijklmnopqrstuvwxyz0123456789")
    make_company("ABC", every)
    login_as(hr_user)

    found = client.get("/search/companies", query_string={"q": every})
    missed = client.get("/search/companies", query_string={"q": f"{every} q9"})

    assert [r["value"] for r in found.get_json()["results"]] == ["ABC"]
    assert missed.get_json()["results"] == []
