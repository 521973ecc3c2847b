"""The one way each retention list is filtered: a django-filter FilterSet shared by the page and
its API, so a search finds the same rows on both and a bad parameter is refused the same way
(400 naming the parameter: a NUL byte, an unknown choice, an id out of range).

Pages build the FilterSet from ``request.GET`` and answer
``config.error_pages.form_errors_page`` when it is invalid; API views name it as
``filterset_class`` (DRF's ``DjangoFilterBackend``) or build it the same way.
"""

from __future__ import annotations

from collections.abc import Mapping

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_filters.rest_framework import BooleanFilter

from accounts.org import org_tree
from retention.dashboard import selectors as dashboard_selectors
from retention.models import Assignment, Customer, Intervention, RiskAlert, RiskScore, SalesRep
from retention.models.scoring import RiskAlertQuerySet, in_band
from retention.selectors import scoring_run_latest_complete

MAX_ID = 2**63 - 1  # the largest id a BigAutoField holds
# What a band filter offers (``in_band``): the bands, and the reps serving notice, in none.
SHOWN_BANDS = [*RiskScore.Band.choices, (RiskScore.Status.LEAVING, _("Leaving (serving notice)"))]
SEARCH_MAX_LENGTH = 100


class IdFilter(django_filters.NumberFilter):
    """An object id: a whole number from 1 to the largest id the database holds."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class TeamFilter(IdFilter):
    """A team or a region: the team and every team below it (``accounts.org``)."""

    def filter(self, qs: QuerySet, value: int | None) -> QuerySet:
        if value in (None, ""):
            return qs
        return qs.filter(**{f"{self.field_name}__in": org_tree().descendants([value])})


class SortFilter(django_filters.ChoiceFilter):
    """``sort``: one of the named orderings (each ends in a unique column, so pages are
    stable); empty means ``default``."""

    def __init__(self, *, orderings: Mapping[str, tuple], default: str, **kwargs) -> None:
        self.orderings = dict(orderings)
        self.default = default
        kwargs.setdefault("label", _("Sort"))
        super().__init__(choices=[(key, key) for key in self.orderings], **kwargs)

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        return qs.order_by(*self.orderings[value or self.default])


def words_search(fields: tuple[str, ...], exact: tuple[str, ...] = ()):
    """A search filter method: every word must match one of ``fields`` (substring) or one of
    ``exact`` (a whole id, any case)."""

    def search(queryset: QuerySet, _name: str, value: str) -> QuerySet:
        for word in value.split():
            match = Q()
            for field in fields:
                match |= Q(**{f"{field}__icontains": word})
            for field in exact:
                match |= Q(**{f"{field}__iexact": word})
            queryset = queryset.filter(match)
        return queryset

    return search


def search_filter(
    *fields: str, exact: tuple[str, ...] = (), label: str | None = None
) -> django_filters.CharFilter:
    """``q``: every word must match one of ``fields`` in part or one of ``exact`` whole; longer
    than SEARCH_MAX_LENGTH is a 400 naming the parameter."""
    return django_filters.CharFilter(
        method=words_search(fields, exact), max_length=SEARCH_MAX_LENGTH, label=label or _("Search")
    )


# --- reps and customers -------------------------------------------------------------------

REP_ORDERINGS = {
    "name": ("last_name", "first_name", "id"),
    "-name": ("-last_name", "-first_name", "-id"),
    "hire_date": ("hire_date", "id"),
    "-hire_date": ("-hire_date", "-id"),
    "team": ("team__name", "last_name", "id"),
}


class RepFilterSet(django_filters.FilterSet):
    """Reps: ``q`` matches names and e-mail in part and CRM / HR ids whole."""

    q = search_filter("first_name", "last_name", "email", exact=("crm_user_id", "hr_employee_id"))
    team = TeamFilter(field_name="team_id")
    status = django_filters.ChoiceFilter(choices=SalesRep.Status.choices)
    hired_after = django_filters.DateFilter(field_name="hire_date", lookup_expr="gte")
    sort = SortFilter(orderings=REP_ORDERINGS, default="name")

    class Meta:
        model = SalesRep
        fields = ["q", "team", "status", "hired_after", "sort"]


CUSTOMER_ORDERINGS = {
    "name": ("name", "id"),
    "-revenue": ("-annual_revenue", "id"),
    "revenue": ("annual_revenue", "id"),
}


class CustomerFilterSet(django_filters.FilterSet):
    """Customers: ``q`` matches the name in part and the source's id whole."""

    q = search_filter("name", exact=("external_id",))
    key = BooleanFilter(field_name="is_key_account")
    region = django_filters.CharFilter(lookup_expr="iexact", max_length=120)
    industry = django_filters.CharFilter(lookup_expr="iexact", max_length=120)
    sort = SortFilter(orderings=CUSTOMER_ORDERINGS, default="name")

    class Meta:
        model = Customer
        fields = ["q", "key", "region", "industry", "sort"]


class HeldByTeamFilter(IdFilter):
    """A team or a region: customers held now, in any role, by a rep of the team or of any team
    below it (``accounts.org``)."""

    def filter(self, qs: QuerySet, value: int | None) -> QuerySet:
        if value in (None, ""):
            return qs
        held = Assignment.objects.filter(
            customer=OuterRef("pk"),
            valid_to__isnull=True,
            rep__team_id__in=org_tree().descendants([value]),
        )
        return qs.filter(Exists(held))


class HeldByRepFilter(IdFilter):
    """A rep: customers the rep holds now, in any role."""

    def filter(self, qs: QuerySet, value: int | None) -> QuerySet:
        if value in (None, ""):
            return qs
        held = Assignment.objects.filter(
            customer=OuterRef("pk"), valid_to__isnull=True, rep_id=value
        )
        return qs.filter(Exists(held))


SINGLE_THREADED_ORDERINGS = {
    "-revenue": ("-annual_revenue", "name", "id"),
    "name": ("name", "id"),
}


class SingleThreadedFilterSet(django_filters.FilterSet):
    """Key accounts that depend on one rep (the page and its API): ``q`` matches the customer's
    name in part and its source id whole; ``team`` (a team or a region) and ``rep`` name the
    rep who holds it."""

    q = search_filter("name", exact=("external_id",))
    team = HeldByTeamFilter()
    rep = HeldByRepFilter()
    sort = SortFilter(orderings=SINGLE_THREADED_ORDERINGS, default="-revenue")

    class Meta:
        model = Customer
        fields = ["q", "team", "rep", "sort"]


# --- risk -----------------------------------------------------------------------------------


class DashboardRepFilterSet(django_filters.FilterSet):
    """The risk dashboard's list: its parameters are read and checked here; the rows come from
    ``retention.dashboard.selectors.dashboard_reps`` (scope, the latest run's score, search by
    name, e-mail or team, a region's teams, band, sort), whatever queryset is passed in."""

    q = django_filters.CharFilter(max_length=SEARCH_MAX_LENGTH, method="_parsed_only")
    team = IdFilter(method="_parsed_only")
    band = django_filters.ChoiceFilter(
        choices=[*SHOWN_BANDS, ("none", _("Not scored"))], method="_parsed_only"
    )
    sort = django_filters.ChoiceFilter(
        choices=[(key, key) for key in dashboard_selectors.DASHBOARD_SORTS],
        method="_parsed_only",
    )

    class Meta:
        model = SalesRep
        fields = ["q", "team", "band", "sort"]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None) -> None:
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.run = scoring_run_latest_complete()

    def _parsed_only(self, queryset: QuerySet, _name: str, _value) -> QuerySet:
        return queryset

    @property
    def query(self) -> dashboard_selectors.DashboardQuery:
        data = self.form.cleaned_data if self.is_valid() else {}
        return dashboard_selectors.DashboardQuery(
            search=(data.get("q") or "").strip(),
            team_id=data.get("team"),
            band=data.get("band") or "",
            sort=data.get("sort") or "-risk",
        )

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        return dashboard_selectors.dashboard_reps(
            user=self.request.user, run=self.run, query=self.query
        )


class RiskScoreFilterSet(django_filters.FilterSet):
    """The risk API's scores: ``band`` as the dashboard's (a leaving score is in no band, but
    under ``leaving``), ``team`` a team or a region's teams."""

    band = django_filters.ChoiceFilter(choices=SHOWN_BANDS, method="_band")
    team = TeamFilter(field_name="rep__team_id")

    class Meta:
        model = RiskScore
        fields = ["band", "team"]

    def _band(self, queryset: QuerySet, _name: str, value: str) -> QuerySet:
        return queryset.filter(in_band(value))


ALERT_STATES = (
    ("open", pgettext_lazy("alert", "Open")),
    ("acknowledged", _("Acknowledged")),
    ("all", _("All")),
)


class AlertFilterSet(django_filters.FilterSet):
    """Alerts: ``state`` is ``open`` (the default), ``acknowledged`` or ``all``."""

    state = django_filters.ChoiceFilter(choices=ALERT_STATES, method="_state")
    team = TeamFilter(field_name="rep__team_id")

    class Meta:
        model = RiskAlert
        fields = ["state", "team"]

    def _state(self, queryset: RiskAlertQuerySet, _name: str, value: str) -> QuerySet:
        if value == "all":
            return queryset
        return queryset.acknowledged() if value == "acknowledged" else queryset.open()

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        if not self.form.cleaned_data.get("state"):
            queryset = self._state(queryset, "state", "open")
        return super().filter_queryset(queryset).order_by("-created_at", "-id")

    @property
    def chosen_state(self) -> str:
        return (self.form.cleaned_data.get("state") if self.is_valid() else "") or "open"


class InterventionFilterSet(django_filters.FilterSet):
    """Interventions (the list page and a rep's log in the API): ``overdue=true`` keeps the
    overdue follow-ups (the dashboard's rule, ``dashboard.selectors.overdue_follow_ups``),
    soonest due first."""

    kind = django_filters.ChoiceFilter(choices=Intervention.Kind.choices)
    outcome = django_filters.ChoiceFilter(choices=Intervention.Outcome.choices)
    open = BooleanFilter(method="_open")
    overdue = BooleanFilter(method="_overdue")

    class Meta:
        model = Intervention
        fields = ["kind", "outcome", "open", "overdue"]

    def _overdue(self, queryset: QuerySet, _name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        overdue = dashboard_selectors.overdue_follow_ups(queryset, today=timezone.localdate())
        if value:
            return overdue
        return queryset.exclude(pk__in=overdue.order_by().values("pk"))

    def _open(self, queryset: QuerySet, _name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        is_open = Q(outcome__in=["", Intervention.Outcome.TOO_EARLY])
        return queryset.filter(is_open if value else ~is_open)
