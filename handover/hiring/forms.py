"""Forms that parse and check page input; the services do the rest.

Every choice of a team or a person is limited to what the user may see (``accounts.access``):
anything else is not a valid choice.
"""

from django import forms
from django.db.models import BLANK_CHOICE_LABEL
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.access import teams_visible_to, users_visible_to
from accounts.models import Team, User
from config.limits import decimal_shape, integer_max
from handover.models import Application, Candidate, Vacancy
from retention.filters import MAX_ID
from retention.models import SalesRep
from retention.selectors import reps_visible


class VacancyForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())
    role = forms.CharField(
        label=pgettext_lazy("job", "Role"), max_length=120, initial=_("Sales representative")
    )
    reason = forms.ChoiceField(
        label=_("Reason"), choices=Vacancy.Reason.choices, initial=Vacancy.Reason.GROWTH
    )
    region = forms.CharField(label=_("Region"), max_length=120, required=False)
    territory = forms.CharField(label=_("Territory"), max_length=120, required=False)
    hiring_manager = forms.ModelChoiceField(
        label=_("Hiring manager"), queryset=User.objects.none(), required=False
    )
    approved_headcount = forms.IntegerField(
        label=_("Approved headcount"),
        min_value=1,
        max_value=integer_max(Vacancy, "approved_headcount"),
        initial=1,
    )
    salary_min = forms.DecimalField(
        label=_("Salary band from"),
        min_value=0,
        required=False,
        **decimal_shape(Vacancy, "salary_min"),
    )
    salary_max = forms.DecimalField(
        label=_("Salary band to"),
        min_value=0,
        required=False,
        **decimal_shape(Vacancy, "salary_max"),
    )
    opened_on = forms.DateField(label=_("Opened"), widget=forms.DateInput(attrs={"type": "date"}))
    target_fill_date = forms.DateField(
        label=_("Target fill date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams_visible_to(user=user).order_by("name")
        self.fields["hiring_manager"].queryset = users_visible_to(user=user).filter(
            role=User.Role.SALES_MANAGER
        )


class VacancyEditForm(VacancyForm):
    """The requisition fields; team, reason and opening date stay as opened."""

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, user=user, **kwargs)
        for name in ("team", "reason", "opened_on"):
            del self.fields[name]


class CandidateForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=80)
    last_name = forms.CharField(label=_("Last name"), max_length=80)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    # No source chosen until the person says which: a preselected "Employee referral" made a
    # form filled without touching it fail on the missing referrer.
    source = forms.ChoiceField(
        label=_("Source"), choices=[("", BLANK_CHOICE_LABEL), *Candidate.Source.choices]
    )
    referrer = forms.ModelChoiceField(
        label=_("Referred by"), queryset=SalesRep.objects.none(), required=False
    )
    region = forms.CharField(label=_("Region"), max_length=120, required=False)
    sales_experience_years = forms.DecimalField(
        label=_("Years of sales experience"),
        min_value=0,
        initial=0,
        **decimal_shape(Candidate, "sales_experience_years"),
    )
    bench_ready = forms.BooleanField(label=_("Bench ready"), required=False)
    earliest_start = forms.DateField(
        label=_("Earliest start"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["referrer"].queryset = (
            reps_visible(user=user).filter(status=SalesRep.Status.ACTIVE).order_by("last_name")
        )


class ApplicationAddForm(forms.Form):
    candidate = forms.IntegerField(min_value=1, max_value=MAX_ID)


class MoveForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=Application.Stage.choices)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)
    start_date = forms.DateField(label=_("Start date"), required=False)


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Rating"), choices=[(i, str(i)) for i in range(1, 6)], coerce=int
    )
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
