"""The API of intervention suggestions and of what worked: the pages' scope (out of scope is
404), rights (``required_perms``) and audit of risk reads. Logging a suggestion is the existing
``POST /api/reps/{id}/interventions/create/`` with the suggestion's ``kind`` and ``note``."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.pagination import RelayPagination, paginated
from retention.interventions import effects, selectors
from retention.interventions.views import KIND_CHOICES

EFFECTS_READ = ("retention.view_riskscore", "retention.view_intervention")


class InterventionSuggestionsApi(APIView):
    """Interventions that fit the rep's own drivers, strongest first, each with its reasons in
    the rep's numbers and the note a log of it records. Empty for a rep at low risk, serving
    notice or not scored. The read is audited."""

    required_perms = EFFECTS_READ

    class OutputSerializer(serializers.Serializer):
        class SuggestionSerializer(serializers.Serializer):
            class ReasonSerializer(serializers.Serializer):
                sign = serializers.CharField()
                feature = serializers.CharField()
                text = serializers.CharField()
                numbers = serializers.DictField()

            kind = serializers.ChoiceField(choices=KIND_CHOICES[:-1])
            label = serializers.CharField()
            purpose = serializers.CharField()
            reasons = ReasonSerializer(many=True)
            actions = serializers.ListField(
                child=serializers.ChoiceField(choices=["routing", "single_threaded"])
            )
            logged_on = serializers.DateField(allow_null=True)
            note = serializers.CharField()
            note_data = serializers.JSONField(
                help_text="Send it with the note when logging, so the note reads in each "
                "reader's language."
            )

        rep_id = serializers.IntegerField()
        as_of = serializers.DateField(allow_null=True)
        band = serializers.CharField(allow_null=True)
        probability = serializers.FloatField(allow_null=True)
        suggestions = SuggestionSerializer(many=True)

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request, rep_id: int) -> Response:
        score, suggestions = selectors.rep_suggestions_read(
            user=request.user, rep_id=rep_id, today=timezone.localdate()
        )
        leaving = score is not None and score.is_leaving
        output = {
            "rep_id": rep_id,
            "as_of": score.as_of if score else None,
            "band": None if score is None or leaving else score.band,
            "probability": None if score is None or leaving else score.probability,
            "suggestions": suggestions,
        }
        return Response(self.OutputSerializer(output).data)


class FigureSerializer(serializers.Serializer):
    n = serializers.IntegerField(help_text="Units the figure rests on.")
    too_few = serializers.BooleanField(help_text="n is below min_n: no figure is given.")
    treated = serializers.FloatField(allow_null=True)
    comparison = serializers.FloatField(allow_null=True)
    difference = serializers.FloatField(allow_null=True)
    low = serializers.FloatField(allow_null=True, help_text="95% interval of the difference.")
    high = serializers.FloatField(allow_null=True)


class InterventionEffectsApi(APIView):
    """Per kind of intervention (and ``any``): how many reps got it, the share still employed
    90 and 180 days later and the change in risk after 90 days, against reps of the same risk
    decile on the same scoring run with no intervention, in the caller's scope. Observational:
    see the method on the page. Aggregates only (withheld under ``min_n``): no audit row."""

    required_perms = EFFECTS_READ

    class OutputSerializer(serializers.Serializer):
        class KindSerializer(serializers.Serializer):
            kind = serializers.CharField()
            label = serializers.SerializerMethodField()
            units = serializers.IntegerField()
            reps = serializers.IntegerField()
            unscored = serializers.IntegerField()
            leaving = serializers.IntegerField()
            unmatched = serializers.IntegerField()
            matched = serializers.IntegerField()
            comparison_reps = serializers.IntegerField()
            too_early = serializers.DictField(child=serializers.IntegerField())
            mean_risk_treated = serializers.FloatField(allow_null=True)
            mean_risk_comparison = serializers.FloatField(allow_null=True)
            employed = serializers.DictField(child=FigureSerializer())
            risk_change = FigureSerializer()

            def get_label(self, result: effects.KindResult) -> str:
                return selectors.effect_kind_label(result.kind)

        today = serializers.DateField()
        min_n = serializers.IntegerField()
        runs = serializers.IntegerField()
        first_run = serializers.DateField(allow_null=True)
        last_run = serializers.DateField(allow_null=True)
        kinds = KindSerializer(many=True)

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        report = selectors.intervention_effects_read(user=request.user)
        return Response(self.OutputSerializer(report).data)


class InterventionEffectUnitsApi(APIView):
    """The interventions behind one kind's figures (``kind``; ``any``, the default, for each
    rep's first intervention of any kind),
    newest first, each with the rep's risk at the time, decile, comparison reps and outcomes.
    Each page read is audited, one row per rep shown."""

    required_perms = EFFECTS_READ

    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=KIND_CHOICES, required=False, default=effects.ANY)

    class RowSerializer(serializers.Serializer):
        intervention_id = serializers.IntegerField(source="unit.intervention_id")
        rep_id = serializers.IntegerField(source="unit.rep_id")
        rep_name = serializers.SerializerMethodField()
        kind = serializers.CharField(source="unit.kind")
        recorded_on = serializers.DateField(source="unit.day")
        run_as_of = serializers.DateField(allow_null=True)
        probability = serializers.FloatField(allow_null=True)
        decile = serializers.SerializerMethodField(help_text="1 (lowest risk) to 10.")
        comparison_reps = serializers.IntegerField(source="controls")
        left_out = serializers.CharField(
            source="skipped", help_text='"unscored", "leaving", "unmatched" or "".'
        )
        employed = serializers.DictField(
            child=serializers.BooleanField(allow_null=True),
            help_text="Horizon (days) -> still employed; null: too early to know.",
        )
        comparison_employed = serializers.DictField(child=serializers.FloatField(allow_null=True))
        risk_change = serializers.FloatField(allow_null=True)
        comparison_risk_change = serializers.FloatField(allow_null=True)

        def get_rep_name(self, row) -> str:
            return self.context["reps"][row.unit.rep_id].full_name

        def get_decile(self, row) -> int | None:
            return None if row.decile is None else row.decile + 1

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, required=False, enum=[k for k, _l in KIND_CHOICES])
        ],
        responses=paginated(RowSerializer),
    )
    def get(self, request: Request) -> Response:
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        report = selectors.intervention_effects_read(user=request.user)
        rows = selectors.effect_units(report=report, kind=params.validated_data["kind"])
        paginator = RelayPagination()
        page = selectors.effect_units_show(
            user=request.user, rows=paginator.paginate_queryset(rows, request, view=self)
        )
        context = {"reps": {row.unit.rep_id: rep for row, rep in page}}
        data = self.RowSerializer([row for row, _rep in page], many=True, context=context).data
        return paginator.get_paginated_response(data)
