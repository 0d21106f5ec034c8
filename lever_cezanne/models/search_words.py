"""Word tables behind the pickers: every word of a row's searched columns, normalised.

A picker matches the start of any word ("Ireland", "IE" and "Ltd" all find "Widget Ireland
Ltd"), ignoring case and accents. PostgreSQL cannot answer "a word inside the value starts with"
from a btree index on the value, so each searchable row keeps its words in a table of its own,
indexed for prefix searches; lever_cezanne.core.word_search keeps the tables in step with the rows.
"""

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lever_cezanne.core.words import WORD_MAX
from lever_cezanne.extensions import db

# row_words is carried in every index entry, and a PostgreSQL btree entry holds at most about
# 2,700 bytes: a row whose words need more keeps NULL there, and is checked against its word rows.
ROW_WORDS_MAX_BYTES = 2000


def word_index(table: str, owner: str) -> Index:
    """Return the index that answers word LIKE 'abc%' in (word, owner) order, any collation.

    The owner column makes the order total, so a search for a word thousands of rows share
    ("ltd", "example") reads the first rows of the index and stops at the limit, unsorted.
    On PostgreSQL each entry also carries row_words, so the other typed words are checked on
    the index entry itself (an index-only scan), before any row is read.
    """
    return Index(
        f"ix_{table}_word_{owner}",
        "word",
        owner,
        postgresql_ops={"word": "text_pattern_ops"},
        postgresql_include=["row_words"],
    )


class CompanyWord(db.Model):
    __tablename__ = "company_words"
    __table_args__ = (word_index("company_words", "company_id"),)
    OWNER = "company_id"

    company_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True
    )
    word: Mapped[str] = mapped_column(String(WORD_MAX), primary_key=True)
    # Every word of the row, each after a space (" widget ireland ltd ie 01"), or NULL when
    # longer than ROW_WORDS_MAX_BYTES: "% ire%" then finds the rows with a word starting "ire".
    row_words: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<CompanyWord {self.company_id} {self.word}>"


class UserWord(db.Model):
    __tablename__ = "user_words"
    __table_args__ = (word_index("user_words", "user_id"),)
    OWNER = "user_id"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    word: Mapped[str] = mapped_column(String(WORD_MAX), primary_key=True)
    # Every word of the row, each after a space (" widget ireland ltd ie 01"), or NULL when
    # longer than ROW_WORDS_MAX_BYTES: "% ire%" then finds the rows with a word starting "ire".
    row_words: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<UserWord {self.user_id} {self.word}>"
