"""People and their Employment Details."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lever_cezanne.core.words import words_of
from lever_cezanne.extensions import db
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.org import Company, Department, Location, User, lower_pattern_index
from lever_cezanne.models.types import UTCDateTime

GENDER_NOT_KNOWN = "U"
NAME_WORDS_MAX = 600
# Salary intervals: the stored code and the label HR sees ("55,000.00 GBP per year").
SALARY_INTERVALS = {
    "year": "per year",
    "month": "per month",
    "week": "per week",
    "day": "per day",
    "hour": "per hour",
}


class Gender(db.Model):
    __tablename__ = "genders"
    # Unique whatever its case, as department and location codes are.
    __table_args__ = (lower_pattern_index("uq_genders_code_lower", "code", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(String(80))

    def __repr__(self) -> str:
        return f"<Gender {self.code}>"


class Person(db.Model):
    __tablename__ = "people"
    __table_args__ = (
        lower_pattern_index("ix_people_full_name_lower", "full_name"),
        lower_pattern_index("ix_people_surname_lower", "surname"),
        lower_pattern_index("ix_people_external_email_lower", "external_email"),
        lower_pattern_index("ix_people_person_code_lower", "person_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_code: Mapped[str] = mapped_column(String(64), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    middle_name: Mapped[str | None] = mapped_column(String(100))
    surname: Mapped[str] = mapped_column(String(100))
    known_as: Mapped[str] = mapped_column(String(100))
    full_name: Mapped[str] = mapped_column(String(200))
    legal_name: Mapped[str] = mapped_column(String(200))
    gender_id: Mapped[int] = mapped_column(ForeignKey("genders.id"))
    date_of_birth: Mapped[date] = mapped_column(Date)
    home_number: Mapped[str | None] = mapped_column(String(50))
    work_number: Mapped[str | None] = mapped_column(String(50))
    mobile_number: Mapped[str | None] = mapped_column(String(50))
    other_number: Mapped[str | None] = mapped_column(String(50))
    skype_name: Mapped[str | None] = mapped_column(String(100))
    external_email: Mapped[str | None] = mapped_column(String(254))
    lever_contact_id: Mapped[str | None] = mapped_column(String(64), index=True)
    lever_opportunity_id: Mapped[str | None] = mapped_column(String(64))
    lever_opportunity_url: Mapped[str | None] = mapped_column(String(500))
    # The folded words of every name field (" zoe bright "), kept by _keep_name_words: the Log
    # search finds any part of a name, ignoring accents.
    name_words: Mapped[str] = mapped_column(String(600), default=" ", server_default=" ")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Bumped by every edit from a screen: a save based on an older version is refused.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    gender: Mapped[Gender] = relationship()
    employments: Mapped[list["Employment"]] = relationship(
        back_populates="person",
        order_by="Employment.hire_date.desc()",
        foreign_keys="Employment.person_id",
    )

    def __repr__(self) -> str:
        return f"<Person {self.person_code} {self.full_name!r}>"

    @property
    def current_employment(self) -> "Employment | None":
        return next((e for e in self.employments if e.termination_date is None), None)


@event.listens_for(Person, "before_insert")
@event.listens_for(Person, "before_update")
def _keep_name_words(mapper, connection, person: Person) -> None:
    """Refresh name_words whenever a person is written, so no writer can forget it."""
    person.name_words = name_words_of(person)


def name_words_of(person) -> str:
    """Return " w1 w2 … ": the person's name words, so LIKE '% pre%' finds a word's start."""
    words = words_of(
        person.first_name,
        person.middle_name,
        person.surname,
        person.known_as,
        person.full_name,
        person.legal_name,
    )
    return f" {' '.join(words)} "[:NAME_WORDS_MAX]


class Employment(db.Model):
    __tablename__ = "employments"
    __table_args__ = (
        # One open (not terminated) employment per person: a re-trigger never duplicates it.
        Index(
            "uq_employments_open_person",
            "person_id",
            unique=True,
            sqlite_where=text("termination_date IS NULL"),
            postgresql_where=text("termination_date IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    employment_id: Mapped[str] = mapped_column(String(64))
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    hire_date: Mapped[date] = mapped_column(Date)
    termination_date: Mapped[date | None] = mapped_column(Date)
    job_title: Mapped[str | None] = mapped_column(String(200))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    line_manager_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    person: Mapped[Person] = relationship(back_populates="employments", foreign_keys=[person_id])
    company: Mapped[Company] = relationship()
    department: Mapped[Department | None] = relationship()
    location: Mapped[Location | None] = relationship()
    line_manager: Mapped[Person | None] = relationship(foreign_keys=[line_manager_id])
    salaries: Mapped[list["Salary"]] = relationship(
        back_populates="employment", order_by="Salary.effective_date.desc()"
    )

    def __repr__(self) -> str:
        return f"<Employment {self.employment_id} company={self.company_id}>"

    @property
    def current_salary(self) -> "Salary | None":
        """Return the salary with the latest effective date."""
        return self.salaries[0] if self.salaries else None


class PersonChange(db.Model):
    """One field changed on a person or their Employment Details: who, when, old and new."""

    __tablename__ = "person_changes"
    __table_args__ = (Index("ix_person_changes_person_changed", "person_id", "changed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    field: Mapped[str] = mapped_column(String(100))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<PersonChange person={self.person_id} {self.field}>"


class Salary(db.Model):
    __tablename__ = "salaries"
    __table_args__ = (
        # One salary per employment and effective date: a concurrent twin hire cannot add a second.
        UniqueConstraint("employment_id", "effective_date", name="uq_salaries_employment_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employment_id: Mapped[int] = mapped_column(ForeignKey("employments.id"))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3))
    interval: Mapped[str] = mapped_column(String(10))
    effective_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    employment: Mapped[Employment] = relationship(back_populates="salaries")

    def __repr__(self) -> str:
        return f"<Salary {self.amount} {self.currency} {self.interval} from {self.effective_date}>"

    @property
    def label(self) -> str:
        """Return the salary as HR reads it, e.g. "55,000.00 GBP per year"."""
        interval = SALARY_INTERVALS.get(self.interval, self.interval)
        return f"{self.amount:,.2f} {self.currency} {interval}"
