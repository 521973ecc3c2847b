"""The one way to filter a handover list: FilterSets shared by each page and its API.

A page builds the same FilterSet from ``request.GET`` as its API does from the query string
(``DjangoFilterBackend``), so both accept the same parameters with the same meaning. A parameter
that does not parse (a NUL byte in a search box, ``year=-5``, an id past the database's range)
is a 400 naming it on both: the API through DRF's validation error, a page through
``config.error_pages.form_errors_page``. Never a silent "show everything", never a 500.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from config.limits import EARLIEST_DATE, LATEST_DATE
from handover.models import Application, Candidate, HandoverPlan, OnboardingPlan, Vacancy
from retention.filters import IdFilter, TeamFilter, search_filter
from retention.models import Assignment, SalesRep


class BoundedIntFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class ParameterFilter(BoundedIntFilter):
    """A bounded whole number the list is computed with rather than filtered by (a window in
    days, a target percentage): validated like every filter, read from ``form.cleaned_data``."""

    def filter(self, qs: QuerySet, value) -> QuerySet:
        return qs


# --- hiring ------------------------------------------------------------------------------------


class VacancyFilter(django_filters.FilterSet):
    q = search_filter(
        "role", "territory", "leaving_rep__last_name", label=_("Role, territory or leaving rep")
    )
    status = django_filters.ChoiceFilter(choices=Vacancy.Status.choices)
    reason = django_filters.ChoiceFilter(choices=Vacancy.Reason.choices)
    team = TeamFilter(field_name="team_id")

    class Meta:
        model = Vacancy
        fields = ["q", "status", "reason", "team"]


class CandidateFilter(django_filters.FilterSet):
    q = search_filter("first_name", "last_name", "email", label=_("Name or e-mail"))
    source = django_filters.ChoiceFilter(choices=Candidate.Source.choices)
    status = django_filters.ChoiceFilter(choices=Candidate.Status.choices)
    region = django_filters.CharFilter(lookup_expr="iexact", max_length=120)
    bench_ready = django_filters.BooleanFilter()

    class Meta:
        model = Candidate
        fields = ["q", "source", "status", "region", "bench_ready"]


class ApplicationFilter(django_filters.FilterSet):
    vacancy = IdFilter(field_name="vacancy_id")
    stage = django_filters.ChoiceFilter(choices=Application.Stage.choices)
    source = django_filters.ChoiceFilter(choices=Candidate.Source.choices)
    team = TeamFilter(field_name="vacancy__team_id")

    class Meta:
        model = Application
        fields = ["vacancy", "stage", "source", "team"]


class OnboardingPlanFilter(django_filters.FilterSet):
    team = TeamFilter(field_name="rep__team_id")

    class Meta:
        model = OnboardingPlan
        fields = ["team"]


class RampParams(forms.Form):
    """The ramp-up target, a percentage of the team median (1–200), on onboarding pages."""

    target = forms.IntegerField(min_value=1, max_value=200, required=False)


class DepartureCostFilter(django_filters.FilterSet):
    """Departures (reps with a last day) by team and year of the last day, and the two method
    parameters: the window before leaving without a risk flag, and the ramp-up target."""

    team = TeamFilter(field_name="team_id")
    year = BoundedIntFilter(
        field_name="departure_date",
        lookup_expr="year",
        min_value=EARLIEST_DATE.year,
        max_value=LATEST_DATE.year,
    )
    window = ParameterFilter(min_value=1, max_value=730)
    target = ParameterFilter(min_value=1, max_value=200)

    class Meta:
        model = SalesRep
        fields = ["team", "year", "window", "target"]


# --- plans -------------------------------------------------------------------------------------


class PlanFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=HandoverPlan.Status.choices)
    rep = IdFilter(field_name="rep_id")

    class Meta:
        model = HandoverPlan
        fields = ["status", "rep"]


class AssignmentFilter(django_filters.FilterSet):
    customer = IdFilter(field_name="customer_id")
    rep = IdFilter(field_name="rep_id")
    role = django_filters.ChoiceFilter(choices=Assignment.Role.choices)
    source = django_filters.ChoiceFilter(choices=Assignment.Source.choices)
    current = django_filters.BooleanFilter(field_name="valid_to", lookup_expr="isnull")

    class Meta:
        model = Assignment
        fields = ["customer", "rep", "role", "source", "current"]


# --- pages -------------------------------------------------------------------------------------


