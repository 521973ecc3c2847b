"""The interventions list (filtered as the API filters a rep's log) and the "what worked" page:
per kind of intervention, how the reps who got it fared against reps of similar risk who got
none (``retention.interventions.effects``), in the reader's scope."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET

from accounts.access import page
from config.error_pages import form_errors_page
from retention import selectors as retention_selectors
from retention.filters import InterventionFilterSet
from retention.interventions import effects, selectors
from retention.models import Intervention

PAGE_SIZE = 50
EFFECTS_READ = ("retention.view_riskscore", "retention.view_intervention")
KIND_CHOICES = [*Intervention.Kind.choices, (effects.ANY, gettext_lazy("Any intervention"))]


class EffectsQueryForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Intervention"), choices=[("", "—"), *KIND_CHOICES], required=False
    )


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def points(value: float | None) -> str:
    """A difference of two shares or probabilities in percentage points, signed."""
    if value is None:
        return "—"
    number = round(100 * value)
    return _("%(sign)s%(n)s pts") % {"sign": "+" if number > 0 else "", "n": number}


def interval(figure: effects.Figure) -> str:
    """The 95% interval of a difference, in points: "−20 to +26"."""
    if figure.low is None or figure.high is None:
        return ""
    low, high = round(100 * figure.low), round(100 * figure.high)
    return _("%(low)s to %(high)s") % {
        "low": f"{'+' if low > 0 else ''}{low}",
        "high": f"{'+' if high > 0 else ''}{high}",
    }


SKIP_LABELS = {
    "unscored": gettext_lazy("no score in the 35 days before"),
    "leaving": gettext_lazy("already serving notice"),
    "unmatched": gettext_lazy("no comparison rep"),
}


def _left_out(result: effects.KindResult) -> list[str]:
    counts = [
        (
            result.unscored,
            ngettext(
                "%(n)s not scored at the time", "%(n)s not scored at the time", result.unscored
            ),
        ),
        (
            result.leaving,
            ngettext(
                "%(n)s already serving notice", "%(n)s already serving notice", result.leaving
            ),
        ),
        (
            result.unmatched,
            ngettext("%(n)s with no similar rep", "%(n)s with no similar rep", result.unmatched),
        ),
    ]
    return [text % {"n": n} for n, text in counts if n]


@page("retention.view_intervention")
@require_GET
def intervention_list(request: HttpRequest) -> HttpResponse:
    """Interventions in the user's scope, newest first; ``?overdue=true`` (the dashboard's
    "all overdue follow-ups" link) the overdue follow-ups, soonest due first."""
    filterset = InterventionFilterSet(
        request.GET,
        queryset=retention_selectors.interventions_visible_to(request.user)
        .select_related("rep__team")
        .order_by("-created_at", "-id"),
        request=request,
    )
    if not filterset.is_valid():
        return form_errors_page(request, filterset.form, filters=True)
    page_ = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page_,
        "params": request.GET,
        "overdue": filterset.form.cleaned_data.get("overdue"),
    }
    return render(request, "retention/interventions/list.html", context)


@page(EFFECTS_READ)
@require_GET
def intervention_effects(request: HttpRequest) -> HttpResponse:
    form = EffectsQueryForm(request.GET)
    if not form.is_valid():
        return form_errors_page(request, form, filters=True)
    kind = form.cleaned_data["kind"]
    report = selectors.intervention_effects_read(user=request.user)
    rows = [
        {
            "result": result,
            "label": selectors.effect_kind_label(result.kind),
            "employed": [
                {
                    "days": days,
                    "figure": result.employed[days],
                    "treated": pct(result.employed[days].treated),
                    "comparison": pct(result.employed[days].comparison),
                    "difference": points(result.employed[days].difference),
                    "interval": interval(result.employed[days]),
                }
                for days in effects.HORIZONS
            ],
            "risk_change": {
                "figure": result.risk_change,
                "treated": points(result.risk_change.treated),
                "comparison": points(result.risk_change.comparison),
                "difference": points(result.risk_change.difference),
                "interval": interval(result.risk_change),
            },
            "left_out": _left_out(result),
            "too_early": [
                ngettext("%(n)s for %(days)s days", "%(n)s for %(days)s days", n)
                % {"n": n, "days": days}
                for days, n in result.too_early.items()
                if n
            ],
            "risk_treated": pct(result.mean_risk_treated),
            "risk_comparison": pct(result.mean_risk_comparison),
        }
        for result in report.kinds
    ]
    units = []
    units_page = None
    if kind:
        units_page = Paginator(
            selectors.effect_units(report=report, kind=kind), PAGE_SIZE
        ).get_page(request.GET.get("page"))
        shown = selectors.effect_units_show(user=request.user, rows=list(units_page.object_list))
        for unit, rep in shown:
            units.append(
                {
                    "unit": unit,
                    "rep": rep,
                    "kind_label": selectors.effect_kind_label(unit.unit.kind),
                    "probability": pct(unit.probability),
                    "decile": None if unit.decile is None else unit.decile + 1,
                    "employed": [
                        {
                            "stayed": unit.employed.get(days),
                            "comparison": pct(unit.comparison_employed.get(days)),
                        }
                        for days in effects.HORIZONS
                    ],
                    "risk_change": points(unit.risk_change),
                    "comparison_risk_change": points(unit.comparison_risk_change),
                    "skipped": SKIP_LABELS.get(unit.skipped, ""),
                }
            )
    context = {
        "report": report,
        "rows": rows,
        "kind": kind,
        "kind_label": selectors.effect_kind_label(kind) if kind else "",
        "units": units,
        "units_page": units_page,
        "params": request.GET,
        "horizons": effects.HORIZONS,
        "baseline_days": effects.BASELINE_DAYS,
        "clean_days": effects.CLEAN_DAYS,
        "later_days": effects.LATER_DAYS,
        "later_tolerance": effects.LATER_TOLERANCE_DAYS,
    }
    return render(request, "retention/interventions/what_worked.html", context)
