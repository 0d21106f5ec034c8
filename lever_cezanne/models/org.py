"""Users and companies: the organisation the integration works inside."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from lever_cezanne.extensions import db
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.types import UTCDateTime

ROLE_ADMINISTRATOR = "administrator"
ROLE_HR = "hr"
ROLES = {ROLE_ADMINISTRATOR: "Administrator", ROLE_HR: "HR Professional"}
# The pickers search by prefix (lower(x) LIKE 'abc%'). PostgreSQL answers that from a btree index
# only with text_pattern_ops, unless the database collation happens to be "C".
PATTERN_OPS = "text_pattern_ops"


def lower_pattern_index(name: str, column: str, **kwargs) -> Index:
    """Return an index on lower(column) that also serves prefix searches on PostgreSQL."""
    label = f"{column}_lower"
    return Index(
        name,
        func.lower(text(column)).label(label),
        postgresql_ops={label: PATTERN_OPS},
        **kwargs,
    )


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        lower_pattern_index("uq_users_username_lower", "username", unique=True),
        lower_pattern_index("ix_users_display_name_lower", "display_name"),
        # One account per e-mail address, in any case (NULLs, users without one, never clash).
        lower_pattern_index("uq_users_email_lower", "email", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    display_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=ROLE_HR)
    active: Mapped[bool] = mapped_column(default=True)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped on password change, deactivation and logout-everywhere: old sessions stop working.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"

    @property
    def is_active(self) -> bool:
        return self.active and self.deleted_at is None

    @property
    def is_administrator(self) -> bool:
        return self.role == ROLE_ADMINISTRATOR

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}"


class Company(db.Model):
    __tablename__ = "companies"
    __table_args__ = (
        # Codes are unique case-insensitively among companies that are not deleted.
        lower_pattern_index(
            "uq_companies_code_lower",
            "code",
            unique=True,
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
        lower_pattern_index("ix_companies_name_lower", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Company {self.code}>"

    @property
    def can_employ(self) -> bool:
        """Return whether new Employment Details may be created in this company."""
        return self.active and self.deleted_at is None

    @property
    def label(self) -> str:
        return f"{self.code} — {self.name}"


class _Lookup:
    """A code + name lookup (departments, locations): unique case-insensitively, deactivatable."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.code}>"

    @property
    def label(self) -> str:
        return f"{self.code} — {self.name}"


class Department(_Lookup, db.Model):
    __tablename__ = "departments"
    __table_args__ = (
        lower_pattern_index("uq_departments_code_lower", "code", unique=True),
        lower_pattern_index("uq_departments_name_lower", "name", unique=True),
    )


class Location(_Lookup, db.Model):
    __tablename__ = "locations"
    __table_args__ = (
        lower_pattern_index("uq_locations_code_lower", "code", unique=True),
        lower_pattern_index("uq_locations_name_lower", "name", unique=True),
    )
