"""Forms for process definitions, steps, New Starter tasks and pending hires."""

from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
)

from lever_cezanne.core.forms import DayField, StrippedForm, required, required_date
from lever_cezanne.models.processes import PROCESS_TYPES


class ProcessForm(StrippedForm):
    """A New Starter process definition."""

    name = StringField(
        "Name",
        validators=[DataRequired(message="Enter a name."), Length(max=200)],
        default="Enter a New Starter",
    )
    type = SelectField(
        "Type",
        choices=dict(PROCESS_TYPES),
        invalid_choice_message="Choose With Absences or Without Absences.",
        description="The integration uses the latest active With Absences process, else the "
        "latest active Without Absences one.",
    )
    active = BooleanField("Active", default=True)


class StepForm(StrippedForm):
    """One checklist step of a process definition."""

    name = StringField(
        "Step",
        validators=[DataRequired(message="Enter what the step asks for."), Length(max=200)],
    )
    required = BooleanField(
        "Required (the task cannot be completed until it is done)", default=True
    )


class CompleteAnywayForm(StrippedForm):
    """An Administrator's reason for completing a task that is not ready."""

    reason = TextAreaField(
        "Reason",
        validators=[
            required("reason for completing the task anyway"),
            Length(min=10, max=2000, message="Write between 10 and 2,000 characters."),
        ],
        description="Recorded on the task and shown to everyone who opens it.",
    )


class ReassignForm(StrippedForm):
    """Give a task to another active HR Professional."""

    assignee = SelectField(
        "New owner",
        coerce=int,
        validators=[InputRequired(message="Choose who takes the task over.")],
        invalid_choice_message="Choose an active HR Professional from the list.",
    )


class DueDateForm(StrippedForm):
    """When a task is due."""

    due_date = DayField(
        "Due date",
        validators=[required_date("due date")],
        description="Defaults to the Hire Date.",
    )


class TaskFilterForm(StrippedForm):
    """Filters over a task list (read from the query string)."""

    class Meta:
        csrf = False

    status = SelectField(
        "Status",
        choices={"": "Any status", "open": "Open", "overdue": "Overdue", "completed": "Completed"},
        validators=[Optional()],
    )
    q = StringField(
        "Person",
        validators=[Optional(), Length(max=100)],
        description="Name, person code or e-mail.",
    )

    sort = SelectField(
        "Sort by",
        choices={
            "": "Open first, newest first",
            "due": "Due date, soonest first",
            "name": "Name, A to Z",
        },
        validators=[Optional()],
    )

    def active_filters(self) -> dict:
        """Return the filters in use, as query-string arguments for page links."""
        values = {
            "status": self.status.data,
            "q": (self.q.data or "").strip(),
            "sort": self.sort.data,
        }
        return {name: value for name, value in values.items() if value}


class MyTasksFilterForm(TaskFilterForm):
    """My Tasks' filters: my own tasks, or the whole team's."""

    scope = SelectField(
        "Whose",
        choices={"": "Mine", "team": "Team"},
        validators=[Optional()],
    )

    def active_filters(self) -> dict:
        found = super().active_filters()
        if self.scope.data:
            found["scope"] = self.scope.data
        return found


class ApproveHireForm(StrippedForm):
    """What a reviewer may correct before a pending hire's records are created."""

    first_name = StringField("First Name", validators=[required("first name"), Length(max=100)])
    surname = StringField("Surname", validators=[required("surname"), Length(max=100)])
    known_as = StringField("Known As", validators=[required("known as name"), Length(max=100)])
    full_name = StringField("Full Name", validators=[required("full name"), Length(max=200)])
    legal_name = StringField("Legal Name", validators=[required("legal name"), Length(max=200)])
    external_email = StringField(
        "External E-mail",
        validators=[
            Optional(),
            Length(max=254),
            Email(message="Enter an e-mail address like name@example.com."),
        ],
    )
    hire_date = DayField("Hire Date", validators=[required_date("hire date")])


class MergeHireForm(StrippedForm):
    """The existing person a pending hire is merged into."""

    person_code = StringField(
        "Person Code of the existing person",
        validators=[required("Person Code of the existing person"), Length(max=64)],
        description=(
            "The duplicate or re-hired person: the hire gets a New Starter task on them, with "
            "their open Employment Details, or new ones from the Hire Date if they have none "
            "(a re-hire). What HR has entered on the person is kept."
        ),
    )


class RejectHireForm(StrippedForm):
    """Why a pending hire is rejected."""

    reason = TextAreaField(
        "Reason",
        validators=[required("reason"), Length(max=1000)],
        description="Recorded on the integration's Log.",
    )


class AllTasksFilterForm(TaskFilterForm):
    """The all-tasks filters: status, person and assignee."""

    assignee = StringField(
        "Assigned to",
        validators=[Optional(), Length(max=120)],
        description="Type a name or username and choose from the list.",
    )

    def active_filters(self) -> dict:
        """Return the filters in use, as query-string arguments for page links."""
        filters = super().active_filters()
        if (self.assignee.data or "").strip():
            filters["assignee"] = self.assignee.data.strip()
        return filters
