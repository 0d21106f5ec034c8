"""Automatic checks: checklist steps the data itself can verify.

A "verified" check is the only way its step is done: nobody can tick it while the data says
otherwise. A "confirmable" check ticks its step automatically when the data shows it, and a
person may still confirm it by hand (a Gender that really is Not Known).
"""

from collections.abc import Callable
from dataclasses import dataclass

from lever_cezanne.core.dates import today_in
from lever_cezanne.models import Task
from lever_cezanne.models.people import GENDER_NOT_KNOWN
from lever_cezanne.onboarding.steps import open_employment


@dataclass(frozen=True)
class Check:
    label: str
    passes: Callable[[Task, str], bool]
    tickable: bool
    failing_hint: str


def _date_of_birth_replaced(task: Task, timezone: str) -> bool:
    # The integration stores the day it created the person; Lever never sends a birth date.
    person = task.person
    placeholders = {today_in(timezone, person.created_at)}
    employment = open_employment(person.id)
    if employment is not None:
        placeholders.add(employment.hire_date)
    return person.date_of_birth not in placeholders


def _gender_known(task: Task, timezone: str) -> bool:
    return task.person.gender.code != GENDER_NOT_KNOWN


def _has_employment(task: Task, timezone: str) -> bool:
    return open_employment(task.person_id) is not None


def _no_job_or_salary(task: Task, timezone: str) -> bool:
    # Nothing to confirm when the hire brought neither; otherwise a person confirms them.
    employment = open_employment(task.person_id)
    return employment is None or (not employment.job_title and not employment.salaries)


CHECKS = {
    "date_of_birth": Check(
        "Checked automatically: the Date of Birth is no longer the hire day.",
        _date_of_birth_replaced,
        tickable=False,
        failing_hint="Enter the real Date of Birth in the personal details.",
    ),
    "gender": Check(
        "Checked automatically: a Gender other than Not Known is recorded.",
        _gender_known,
        tickable=True,
        failing_hint="Choose the Gender in the personal details, or tick if Not Known is right.",
    ),
    "job_salary": Check(
        "Checked automatically: the hire brought no Job Title or Salary to confirm.",
        _no_job_or_salary,
        tickable=True,
        failing_hint="Check the Job Title and Salary in the Employment Details, then tick.",
    ),
    "employment": Check(
        "Checked automatically: the person has open Employment Details.",
        _has_employment,
        tickable=False,
        failing_hint="Add the Employment Details below.",
    ),
}
