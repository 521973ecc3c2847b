"""Departure-risk API. Scores are scoped like the pages (a rep out of scope is a 404); runs and
models are for admins (404 for everyone else)."""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from retention.models import RiskModel, RiskScore, ScoringRun
from retention.risk import selectors, services, tasks


def _require_admin(request: Request) -> None:
    if not request.user.is_relay_admin:
        raise NotFound


class RiskModelSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.CharField()
    kind = serializers.CharField()
    trained = serializers.SerializerMethodField()
    label = serializers.CharField(source="get_kind_display")
    algorithm = serializers.CharField()

    def get_trained(self, obj: RiskModel) -> bool:
        return obj.kind == RiskModel.Kind.TRAINED


class RiskDriverSerializer(serializers.Serializer):
    sign = serializers.CharField(help_text="output, leave, service, visits or context")
    feature = serializers.CharField()
    message = serializers.CharField()
    numbers = serializers.DictField()
    text = serializers.CharField()
    value = serializers.FloatField()
    weight = serializers.FloatField()


class RiskScoreSerializer(serializers.Serializer):
    rep_id = serializers.IntegerField()
    as_of = serializers.DateField()
    status = serializers.CharField(help_text="scored, or leaving (serving notice: see last_day)")
    last_day = serializers.DateField(allow_null=True)
    state = serializers.CharField(source="state_label")
    probability = serializers.FloatField(help_text="chance of leaving within 90 days")
    probability_30 = serializers.FloatField(allow_null=True)
    probability_180 = serializers.FloatField(allow_null=True)
    band = serializers.CharField()
    change = serializers.FloatField(allow_null=True)
    drivers = RiskDriverSerializer(many=True)
    run_id = serializers.IntegerField()
    model = RiskModelSummarySerializer(source="run.model", allow_null=True)


class RiskScoreListApi(generics.ListAPIView):
    """Current scores (latest succeeded run) of the reps in the caller's scope, riskiest first.
    Filter with ``?band=high``."""

    class OutputSerializer(RiskScoreSerializer):
        rep_name = serializers.CharField(source="rep.full_name")
        team_name = serializers.CharField(source="rep.team.name")

    serializer_class = OutputSerializer
    queryset = RiskScore.objects.none()
    filter_backends: list = []

    def get_queryset(self):
        scores = selectors.risk_scores_visible(user=self.request.user)
        band = self.request.query_params.get("band")
        if band:
            if band not in RiskScore.Band.values:
                raise serializers.ValidationError(
                    {"band": f"use one of {', '.join(RiskScore.Band.values)}"}
                )
            scores = scores.filter(band=band)
        return scores


class RepRiskDetailApi(APIView):
    class OutputSerializer(serializers.Serializer):
        class HistorySerializer(serializers.Serializer):
            as_of = serializers.DateField()
            status = serializers.CharField()
            last_day = serializers.DateField(allow_null=True)
            probability = serializers.FloatField()
            probability_30 = serializers.FloatField(allow_null=True)
            probability_180 = serializers.FloatField(allow_null=True)
            band = serializers.CharField()
            change = serializers.FloatField(allow_null=True)
            run_id = serializers.IntegerField()
            model_version = serializers.CharField(source="run.model.version", default="")

        rep_id = serializers.IntegerField()
        rep_name = serializers.CharField()
        model = RiskModelSummarySerializer(allow_null=True)
        current = RiskScoreSerializer(allow_null=True)
        history = HistorySerializer(many=True)

    @extend_schema(responses=OutputSerializer, summary="A rep's risk score, drivers and history")
    def get(self, request: Request, rep_id: int) -> Response:
        rep, current, history = selectors.rep_risk(user=request.user, rep_id=rep_id)
        model = current.run.model if current else selectors.risk_model_active()
        data = {
            "rep_id": rep.pk,
            "rep_name": rep.full_name,
            "model": model,
            "current": current,
            "history": history,
        }
        return Response(self.OutputSerializer(data).data)


class ScoringRunSerializer(serializers.ModelSerializer):
    model = RiskModelSummarySerializer(allow_null=True)

    class Meta:
        model = ScoringRun
        fields = [
            "id",
            "as_of",
            "status",
            "model",
            "total",
            "done",
            "chunks",
            "previous_run",
            "started_at",
            "finished_at",
            "error",
            "created_at",
        ]


class ScoringRunListApi(generics.ListAPIView):
    """Scoring runs, newest first (admins)."""

    serializer_class = ScoringRunSerializer
    queryset = ScoringRun.objects.none()
    filter_backends: list = []

    def get_queryset(self):
        _require_admin(self.request)
        return ScoringRun.objects.select_related("model").order_by("-created_at", "-id")


class ScoringRunDetailApi(APIView):
    @extend_schema(responses=ScoringRunSerializer, summary="One scoring run and its progress")
    def get(self, request: Request, run_id: int) -> Response:
        _require_admin(request)
        run = get_object_or_404(ScoringRun.objects.select_related("model"), pk=run_id)
        return Response(ScoringRunSerializer(run).data)


class ScoringRunStartApi(APIView):
    class InputSerializer(serializers.Serializer):
        as_of = serializers.DateField(required=False, help_text="score as of this date (today)")

    @extend_schema(
        request=InputSerializer,
        responses={202: ScoringRunSerializer},
        summary="Start scoring every rep (or get the run already in flight)",
    )
    def post(self, request: Request) -> Response:
        _require_admin(request)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        run = services.scoring_run_request(
            requested_by=request.user, as_of=serializer.validated_data.get("as_of")
        )
        return Response(ScoringRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class RiskModelListApi(generics.ListAPIView):
    """Every model, newest first, with its validation figures (admins)."""

    class OutputSerializer(serializers.ModelSerializer):
        trained = serializers.SerializerMethodField()
        label = serializers.CharField(source="get_kind_display")

        class Meta:
            model = RiskModel
            fields = [
                "id",
                "version",
                "kind",
                "trained",
                "label",
                "algorithm",
                "is_active",
                "training_start",
                "training_end",
                "horizon_days",
                "features",
                "metrics",
                "evaluated_at",
                "created_at",
            ]

        def get_trained(self, obj: RiskModel) -> bool:
            return obj.kind == RiskModel.Kind.TRAINED

    serializer_class = OutputSerializer
    queryset = RiskModel.objects.none()
    filter_backends: list = []

    def get_queryset(self):
        _require_admin(self.request)
        services.risk_model_ensure_active()
        return selectors.risk_models()


class RiskModelTrainApi(APIView):
    @extend_schema(request=None, responses={202: None}, summary="Retrain the model (queued)")
    def post(self, request: Request) -> Response:
        _require_admin(request)
        transaction.on_commit(tasks.model_retrain.delay)
        return Response({"queued": True}, status=status.HTTP_202_ACCEPTED)


class RiskBacktestApi(APIView):
    class OutputSerializer(serializers.Serializer):
        model = RiskModelSummarySerializer()
        evaluated_at = serializers.DateTimeField(allow_null=True)
        report = serializers.JSONField()

    @extend_schema(responses=OutputSerializer, summary="The model's stored backtest report")
    def get(self, request: Request, model_id: int) -> Response:
        _require_admin(request)
        model = get_object_or_404(RiskModel.objects.defer("artifact"), pk=model_id)
        data = {"model": model, "evaluated_at": model.evaluated_at, "report": model.backtest}
        return Response(self.OutputSerializer(data).data)
