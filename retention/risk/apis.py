"""Departure-risk API. Scores are scoped like the pages (a rep out of scope is a 404) and every
read of them is audited; runs and models need the model's permissions (admins; 403 for the
other roles, as on the pages)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import require
from retention.filters import RiskScoreFilterSet
from retention.models import ModelJob, RiskModel, RiskScore, ScoringRun
from retention.risk import model_jobs, selectors, services
from retention.risk.drivers import driver_text
from retention.selectors import (
    risk_scores_visible_to,
    risk_thresholds,
    scoring_run_latest_complete,
)


class RiskModelSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.CharField()
    kind = serializers.CharField()
    trained = serializers.SerializerMethodField()
    label = serializers.CharField(source="get_kind_display")
    algorithm = serializers.CharField()
    thresholds = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "the probabilities from which this model's scores are medium and high, and where "
            "they come from: model, rules or settings"
        )
    )

    def get_trained(self, obj: RiskModel) -> bool:
        return obj.kind == RiskModel.Kind.TRAINED

    def get_thresholds(self, obj: RiskModel) -> dict:
        return risk_thresholds(obj)


class RiskDriverSerializer(serializers.Serializer):
    # Scores stored before drivers were grouped by warning sign carry only feature, text,
    # value and weight: the newer keys read as empty for them.
    sign = serializers.CharField(
        help_text=gettext_lazy("output, leave, service, visits or context"), default=""
    )
    feature = serializers.CharField()
    message = serializers.CharField(default="")
    numbers = serializers.DictField(default=dict)
    text = serializers.SerializerMethodField(help_text=gettext_lazy("in the caller's language"))
    value = serializers.FloatField()

    def get_text(self, driver: dict) -> str:
        return driver_text(driver)

    weight = serializers.FloatField()


# What a rep serving notice has instead of a chance: their last day. These read as null for them.
NOT_FOR_LEAVING = ("probability", "probability_30", "probability_180", "band", "change")


class LeavingAsFactMixin:
    """A leaving score answers its status and last day; no band, probability or change."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if getattr(instance, "is_leaving", False):
            for name in NOT_FOR_LEAVING:
                if name in data:
                    data[name] = None
        return data


class RiskScoreSerializer(LeavingAsFactMixin, serializers.Serializer):
    rep_id = serializers.IntegerField()
    as_of = serializers.DateField()
    status = serializers.CharField(
        help_text=gettext_lazy("scored, or leaving (serving notice: see last_day)")
    )
    last_day = serializers.DateField(allow_null=True)
    state = serializers.CharField(source="state_label")
    probability = serializers.FloatField(
        allow_null=True,
        help_text=gettext_lazy("chance of leaving within 90 days; null when leaving"),
    )
    probability_30 = serializers.FloatField(allow_null=True)
    probability_180 = serializers.FloatField(allow_null=True)
    band = serializers.CharField(
        allow_null=True, help_text=gettext_lazy("low, medium, high; null when leaving")
    )
    change = serializers.FloatField(allow_null=True)
    drivers = RiskDriverSerializer(many=True)
    run_id = serializers.IntegerField()
    model = RiskModelSummarySerializer(source="run.model", allow_null=True)


class RiskScoreListApi(generics.ListAPIView):
    """Current scores (latest succeeded run) of the reps in the caller's scope, riskiest first.
    Filter with ``?band=high`` (reps not serving notice: those are ``?band=leaving``) and
    ``?team=`` (a region includes its teams). Each page read is audited, one row per rep shown."""

    class OutputSerializer(RiskScoreSerializer):
        rep_name = serializers.CharField(source="rep.full_name")
        team_name = serializers.CharField(source="rep.team.name")

    required_perms = "retention.view_riskscore"
    serializer_class = OutputSerializer
    queryset = RiskScore.objects.none()
    filter_backends = [DjangoFilterBackend]
    filterset_class = RiskScoreFilterSet

    def get_queryset(self):
        run = scoring_run_latest_complete()
        if run is None:
            return RiskScore.objects.none()
        return (
            risk_scores_visible_to(self.request.user, run=run)
            .select_related("rep", "rep__team", "run__model")
            .defer("run__model__artifact")
            .order_by("-probability", "rep_id")
        )


class RepRiskDetailApi(APIView):
    """A rep's risk; the read is audited."""

    required_perms = "retention.view_riskscore"

    class OutputSerializer(serializers.Serializer):
        class HistorySerializer(LeavingAsFactMixin, serializers.Serializer):
            as_of = serializers.DateField()
            status = serializers.CharField()
            last_day = serializers.DateField(allow_null=True)
            probability = serializers.FloatField(allow_null=True)
            probability_30 = serializers.FloatField(allow_null=True)
            probability_180 = serializers.FloatField(allow_null=True)
            band = serializers.CharField(allow_null=True)
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
        risk = selectors.rep_risk(user=request.user, rep_id=rep_id)
        current = risk.current
        model = current.run.model if current else selectors.risk_model_active()
        data = {
            "rep_id": risk.rep.pk,
            "rep_name": risk.rep.full_name,
            "model": model,
            "current": current,
            "history": list(reversed(risk.history)),  # newest first
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

    required_perms = "retention.view_scoringrun"
    serializer_class = ScoringRunSerializer
    queryset = ScoringRun.objects.none()
    filter_backends: list = []

    def get_queryset(self):
        return ScoringRun.objects.select_related("model").order_by("-created_at", "-id")


class ScoringRunDetailApi(APIView):
    required_perms = "retention.view_scoringrun"

    @extend_schema(responses=ScoringRunSerializer, summary="One scoring run and its progress")
    def get(self, request: Request, run_id: int) -> Response:
        run = get_object_or_404(ScoringRun.objects.select_related("model"), pk=run_id)
        return Response(ScoringRunSerializer(run).data)


class ScoringRunStartApi(APIView):
    required_perms = "retention.add_scoringrun"

    class InputSerializer(serializers.Serializer):
        as_of = serializers.DateField(
            required=False, help_text=gettext_lazy("score as of this date (today)")
        )

    @extend_schema(
        request=InputSerializer,
        responses={202: ScoringRunSerializer},
        summary="Start scoring every rep (or get the run already in flight)",
    )
    def post(self, request: Request) -> Response:
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
        thresholds = serializers.SerializerMethodField()

        class Meta:
            model = RiskModel
            fields = [
                "id",
                "version",
                "kind",
                "trained",
                "label",
                "algorithm",
                "thresholds",
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

        def get_thresholds(self, obj: RiskModel) -> dict:
            return risk_thresholds(obj)

    required_perms = "retention.view_riskmodel"
    serializer_class = OutputSerializer
    queryset = RiskModel.objects.none()
    filter_backends: list = []

    def get_queryset(self):
        services.risk_model_ensure_active()
        return selectors.risk_models()


class ModelJobSerializer(serializers.ModelSerializer):
    """A training or backtest and how it stands; ``heartbeat_age_seconds`` is how long ago it
    last showed a sign of work (the reaper takes it over past RELAY_JOB_STALL_SECONDS)."""

    model = RiskModelSummarySerializer(allow_null=True)
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    retry_of = serializers.IntegerField(source="retry_of_id", allow_null=True, read_only=True)
    heartbeat_age_seconds = serializers.IntegerField(allow_null=True, read_only=True)

    class Meta:
        model = ModelJob
        fields = [
            "id",
            "kind",
            "status",
            "model",
            "as_of",
            "stage",
            "stage_label",
            "done",
            "total",
            "heartbeat_at",
            "heartbeat_age_seconds",
            "resumes",
            "reason",
            "retry_of",
            "started_at",
            "finished_at",
            "created_at",
        ]


def _job_response(job: ModelJob) -> Response:
    return Response(ModelJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class RiskModelTrainApi(APIView):
    required_perms = "retention.add_riskmodel"

    @extend_schema(
        request=None,
        responses={202: ModelJobSerializer},
        summary="Retrain the model, then backtest the model in use (or get the training in flight)",
    )
    def post(self, request: Request) -> Response:
        job, _created = model_jobs.model_job_request(
            kind=ModelJob.Kind.TRAIN, requested_by=request.user
        )
        return _job_response(job)


class RiskBacktestStartApi(APIView):
    required_perms = "retention.change_riskmodel"

    @extend_schema(
        request=None,
        responses={202: ModelJobSerializer},
        summary="Backtest a model (or get its backtest in flight)",
    )
    def post(self, request: Request, model_id: int) -> Response:
        model = get_object_or_404(RiskModel.objects.defer("artifact"), pk=model_id)
        job, _created = model_jobs.model_job_request(
            kind=ModelJob.Kind.EVALUATE, model=model, requested_by=request.user
        )
        return _job_response(job)


class ModelJobListApi(generics.ListAPIView):
    """Trainings and backtests, newest first (admins)."""

    required_perms = "retention.view_modeljob"
    serializer_class = ModelJobSerializer
    queryset = ModelJob.objects.none()
    filter_backends: list = []

    def get_queryset(self):
        return (
            ModelJob.objects.select_related("model")
            .defer("model__artifact")
            .order_by("-created_at", "-id")
        )


class ModelJobDetailApi(APIView):
    required_perms = "retention.view_modeljob"

    @extend_schema(
        responses=ModelJobSerializer, summary="One training or backtest and its progress"
    )
    def get(self, request: Request, job_id: int) -> Response:
        job = get_object_or_404(ModelJob.objects.select_related("model"), pk=job_id)
        return Response(ModelJobSerializer(job).data)


class ModelJobRetryApi(APIView):
    """Start a stalled or failed training or backtest again, as a new job (or get the one of
    its kind in flight). Needs the right to start that kind of job; 400 for a job that is
    neither stalled nor failed."""

    required_perms = "retention.view_modeljob"

    @extend_schema(
        request=None,
        responses={202: ModelJobSerializer},
        summary="Retry a stalled or failed training or backtest",
    )
    def post(self, request: Request, job_id: int) -> Response:
        job = get_object_or_404(ModelJob.objects.select_related("model"), pk=job_id)
        require(request.user, model_jobs.START_PERMISSION[job.kind])
        new, _created = model_jobs.model_job_retry(job=job, user=request.user)
        return _job_response(new)


class RiskBacktestApi(APIView):
    required_perms = "retention.view_riskmodel"

    class OutputSerializer(serializers.Serializer):
        model = RiskModelSummarySerializer()
        evaluated_at = serializers.DateTimeField(allow_null=True)
        report = serializers.JSONField()

    @extend_schema(responses=OutputSerializer, summary="The model's stored backtest report")
    def get(self, request: Request, model_id: int) -> Response:
        model = get_object_or_404(RiskModel.objects.defer("artifact"), pk=model_id)
        data = {"model": model, "evaluated_at": model.evaluated_at, "report": model.backtest}
        return Response(self.OutputSerializer(data).data)
