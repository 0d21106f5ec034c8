"""The row_words migration fills every existing word row from the row's other word rows."""

from tests.foundation import test_migrations
from tests.foundation.test_migrations import _flask, _rows

empty_database = test_migrations.empty_database  # the fixture: an empty database to migrate

ROW_WORDS = "d4e7a9c2b815"  # row_words carried in the word index
BEFORE_ROW_WORDS = "c8e52f7a1d03"


def _words(database_url: str) -> dict[str, set]:
    rows = _rows(
        database_url,
        "SELECT c.code, w.word, w.row_words FROM company_words w "
        "JOIN companies c ON c.id = w.company_id",
    )
    found: dict[str, set] = {}
    for code, word, row_words in rows:
        found.setdefault(code, set()).add((word, row_words and frozenset(row_words.split(" "))))
    return found


def test_existing_word_rows_get_row_words_and_a_too_long_row_gets_null(empty_database):
    assert _flask(empty_database, "upgrade", BEFORE_ROW_WORDS).returncode == 0
    long_words = [f"w{n:03}" + "x" * 60 for n in range(40)]  # 40 words, 2,640 bytes with spaces
    for code, words in (("WID", ["wid", "widget", "ireland"]), ("LONG", long_words)):
        _rows(
            empty_database,
            "INSERT INTO companies (code, name, active, created_at) "
            "VALUES (:code, :code, true, CURRENT_TIMESTAMP)",
            code=code,
        )
        for word in words:
            _rows(
                empty_database,
                "INSERT INTO company_words (company_id, word) "
                "SELECT id, :word FROM companies WHERE code = :code",
                code=code,
                word=word,
            )

    result = _flask(empty_database, "upgrade", ROW_WORDS)

    assert result.returncode == 0, result.stderr[-2000:]
    widget = frozenset(["", "wid", "widget", "ireland"])  # " wid widget ireland", any order
    assert _words(empty_database) == {
        "WID": {("wid", widget), ("widget", widget), ("ireland", widget)},
        "LONG": {(word, None) for word in long_words},
    }
    if empty_database.startswith("postgresql"):
        (definition,) = _rows(
            empty_database,
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_company_words_word_company_id'",
        )[0]
        assert "text_pattern_ops" in definition and "INCLUDE (row_words)" in definition

    result = _flask(empty_database, "downgrade", BEFORE_ROW_WORDS)
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(_rows(empty_database, "SELECT word FROM company_words")) == 43
