"""The dashboard's API: one APIView per operation, with the pages' scope (out of scope is 404),
rights (``required_perms``: a role without them gets 403), filters (``retention.filters``)
and audit of risk reads. Lists answer in the one envelope (``config.pagination``)."""

import datetime as dt

from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from config.pagination import RelayPagination
from retention import selectors as retention_selectors
from retention.dashboard import selectors, services
from retention.filters import AlertFilterSet, DashboardRepFilterSet, InterventionFilterSet
from retention.models import Intervention, RiskAlert, SalesRep
from retention.risk import selectors as risk_selectors


class RunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    as_of = serializers.DateField()
    finished_at = serializers.DateTimeField()
    model_version = serializers.CharField(source="model.version", default=None)
    model_kind = serializers.CharField(source="model.kind", default=None)


class DashboardRepsApi(generics.ListAPIView):
    """Reps in scope with their current score and what is at stake: the dashboard's table, with
    its parameters (``q``, ``team``, ``band``, ``sort``). Each page read is audited."""

    class RowSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField(source="full_name")
        team_id = serializers.IntegerField()
        team = serializers.CharField(source="team.name")
        status = serializers.CharField()
        risk_state = serializers.SerializerMethodField(
            help_text='"leaving" (serving notice: see last_day, no band or probability), '
            '"scored", or null when not scored.'
        )
        risk_label = serializers.CharField(
            source="band_label", help_text='The band, or "Leaving — last day D".'
        )
        last_day = serializers.SerializerMethodField()
        band = serializers.SerializerMethodField()
        probability = serializers.SerializerMethodField()
        change = serializers.SerializerMethodField()
        top_driver = serializers.CharField()
        hire_date = serializers.DateField()
        tenure_years = serializers.FloatField()
        key_account_revenue = serializers.DecimalField(
            source="key_revenue", max_digits=18, decimal_places=2
        )
        open_pipeline = serializers.DecimalField(max_digits=18, decimal_places=2)
        last_intervention_kind = serializers.CharField(
            source="last_intervention.kind", default=None, allow_null=True
        )
        last_intervention_on = serializers.DateTimeField(
            source="last_intervention.created_at", default=None, allow_null=True
        )

        # A rep serving notice is leaving, not a probability: no band, percentage or change.
        def get_risk_state(self, rep) -> str | None:
            return rep.score_status

        def get_last_day(self, rep) -> dt.date | None:
            return rep.last_day if rep.is_leaving else None

        def get_band(self, rep) -> str | None:
            return None if rep.is_leaving else rep.band

        def get_probability(self, rep) -> float | None:
            return None if rep.is_leaving else rep.probability

        def get_change(self, rep) -> float | None:
            return None if rep.is_leaving else rep.risk_change

    required_perms = "retention.view_riskscore"
    serializer_class = RowSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = DashboardRepFilterSet
    queryset = SalesRep.objects.none()  # the filter set reads the rows (dashboard_reps)

    def list(self, request: Request, *args, **kwargs) -> Response:
        reps = self.filter_queryset(self.get_queryset())
        ids = self.paginate_queryset(reps.values_list("id", flat=True))
        rows = risk_selectors.dashboard_rows_read(
            user=request.user, reps=reps, ids=list(ids), today=timezone.localdate()
        )
        return self.get_paginated_response(self.RowSerializer(rows, many=True).data)


class DashboardSummaryApi(APIView):
    """Counts by band, what high-risk reps hold, open alerts, overdue follow-ups, band history."""

    required_perms = "retention.view_riskscore"

    class OutputSerializer(serializers.Serializer):
        class HistorySerializer(serializers.Serializer):
            as_of = serializers.DateField()
            low = serializers.IntegerField()
            medium = serializers.IntegerField()
            high = serializers.IntegerField()

        run = RunSerializer(allow_null=True)
        band_counts = serializers.DictField(child=serializers.IntegerField())
        leaving = serializers.IntegerField(help_text="Reps serving notice (not in band_counts).")
        unscored = serializers.IntegerField()
        high_risk_revenue = serializers.DecimalField(max_digits=18, decimal_places=2)
        high_risk_key_revenue = serializers.DecimalField(max_digits=18, decimal_places=2)
        high_risk_pipeline = serializers.DecimalField(max_digits=18, decimal_places=2)
        open_alerts = serializers.IntegerField()
        overdue_follow_ups = serializers.IntegerField()
        band_history = HistorySerializer(many=True)

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        run = retention_selectors.scoring_run_latest_complete()
        summary = selectors.dashboard_summary(
            user=request.user, run=run, today=timezone.localdate()
        )
        output = {
            **summary.__dict__,
            "run": run,
            "band_history": selectors.band_history(user=request.user, latest=run),
        }
        return Response(self.OutputSerializer(output).data)


class InterventionOutputSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner", default=None)
    note = serializers.CharField(source="note_text", help_text="In the caller's language.")

    class Meta:
        model = Intervention
        fields = [
            "id",
            "rep",
            "kind",
            "note",
            "owner",
            "owner_name",
            "follow_up_on",
            "outcome",
            "outcome_recorded_at",
            "created_by",
            "created_at",
        ]


class InterventionListApi(generics.ListAPIView):
    """Interventions in the caller's scope (the /interventions/ page), or one rep's log, newest
    first; filter by ``kind``, ``outcome``, ``open`` and ``overdue`` (the dashboard's overdue
    follow-ups, soonest due first)."""

    required_perms = "retention.view_intervention"
    serializer_class = InterventionOutputSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = InterventionFilterSet
    queryset = Intervention.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if "rep_id" in self.kwargs:
            rep = retention_selectors.rep_get_visible(
                user=self.request.user, rep_id=self.kwargs["rep_id"]
            )
            return selectors.rep_interventions(rep=rep)
        return retention_selectors.interventions_visible_to(self.request.user).order_by(
            "-created_at", "-id"
        )


class InterventionCreateApi(APIView):
    """Record an intervention. The owner must be someone the caller may name (the service
    checks ``accounts.access.users_visible_to``), else 400 naming ``owner``."""

    required_perms = "retention.add_intervention"

    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=Intervention.Kind.choices)
        note = serializers.CharField(required=False, allow_blank=True, max_length=4000)
        note_data = serializers.JSONField(
            required=False,
            help_text="A suggestion's note_data, sent with its note unchanged: the note then "
            "reads in each reader's language. Ignored when the note differs.",
        )
        owner = serializers.IntegerField(required=False, allow_null=True, min_value=1)
        follow_up_on = serializers.DateField(
            required=False,
            allow_null=True,
            help_text="Today or later (the organisation's date), else 400 naming follow_up_on.",
        )

    @extend_schema(request=InputSerializer, responses={201: InterventionOutputSerializer})
    def post(self, request: Request, rep_id: int) -> Response:
        rep = retention_selectors.rep_get_visible(user=request.user, rep_id=rep_id)
        params = self.InputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        owner = None
        if data.get("owner"):
            owner = User.objects.filter(pk=data["owner"]).first()
            if owner is None:
                raise services.owner_refused(data["owner"])
        intervention = services.intervention_create(
            rep=rep,
            kind=data["kind"],
            note=data.get("note", ""),
            note_data=data.get("note_data") if isinstance(data.get("note_data"), dict) else None,
            owner=owner,
            follow_up_on=data.get("follow_up_on"),
            created_by=request.user,
        )
        return Response(
            InterventionOutputSerializer(intervention).data, status=status.HTTP_201_CREATED
        )


class InterventionOutcomeApi(APIView):
    required_perms = "retention.change_intervention"

    class InputSerializer(serializers.Serializer):
        outcome = serializers.ChoiceField(choices=Intervention.Outcome.choices)
        follow_up_on = serializers.DateField(
            required=False,
            allow_null=True,
            help_text="A new follow-up date: today or later, else 400 naming follow_up_on. The "
            "intervention's own date, sent back as it is, may have passed.",
        )

    @extend_schema(request=InputSerializer, responses=InterventionOutputSerializer)
    def post(self, request: Request, intervention_id: int) -> Response:
        intervention = retention_selectors.intervention_get_visible(
            user=request.user, intervention_id=intervention_id
        )
        params = self.InputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        intervention = services.intervention_record_outcome(
            intervention=intervention,
            outcome=params.validated_data["outcome"],
            follow_up_on=params.validated_data.get("follow_up_on"),
        )
        return Response(InterventionOutputSerializer(intervention).data)


class RoutingOutputSerializer(serializers.Serializer):
    customer_id = serializers.IntegerField()
    customer_name = serializers.CharField()
    customer_source = serializers.CharField()
    customer_external_id = serializers.CharField()
    annual_revenue = serializers.DecimalField(max_digits=18, decimal_places=2)
    currency = serializers.CharField(help_text="ISO 4217 code of annual_revenue.")
    owner_id = serializers.IntegerField()
    owner_name = serializers.CharField()
    owner_email = serializers.CharField()
    owner_crm_user_id = serializers.CharField()
    owner_team = serializers.CharField()
    owner_probability = serializers.FloatField(
        allow_null=True, help_text="Null when the owner is serving notice (see owner_last_day)."
    )
    owner_last_day = serializers.DateField(
        allow_null=True, help_text="The owner's last day, when they are serving notice."
    )
    alternate_kind = serializers.ChoiceField(choices=["backup", "team_rep", "manager", "none"])
    alternate_rep_id = serializers.IntegerField(allow_null=True)
    alternate_user_id = serializers.IntegerField(allow_null=True)
    alternate_name = serializers.CharField()
    alternate_email = serializers.CharField()
    alternate_crm_user_id = serializers.CharField()
    reason = serializers.CharField()


class RoutingApi(generics.ListAPIView):
    """Key customers whose owner is high risk, each with a suggested alternate and the reason,
    page by page. Each read is audited."""

    required_perms = ("retention.view_riskscore", "retention.view_assignment")
    serializer_class = RoutingOutputSerializer
    pagination_class = RelayPagination
    filter_backends = []  # the rows are computed, not a queryset

    def list(self, request: Request, *args, **kwargs) -> Response:
        run = retention_selectors.scoring_run_latest_complete()
        rows = selectors.routing_rows(user=request.user, run=run)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class AlertOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    rep_id = serializers.IntegerField()
    rep_name = serializers.CharField(source="rep.full_name")
    kind = serializers.CharField()
    message = serializers.CharField(source="message_text", help_text="In the caller's language.")
    band = serializers.CharField(source="score.band")
    probability = serializers.FloatField(source="score.probability")

    def to_representation(self, instance):
        # An alert is raised on a scored run only; should its score be a leaving one, it shows
        # no band or probability, like every other read of a leaving rep.
        data = super().to_representation(instance)
        if instance.score.is_leaving:
            data["band"] = data["probability"] = None
        return data

    created_at = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    acknowledged_by = serializers.IntegerField(source="acknowledged_by_id", allow_null=True)


class AlertListApi(generics.ListAPIView):
    """Alerts about reps in scope, newest first: ``state`` is ``open`` (default),
    ``acknowledged`` or ``all``; ``team`` narrows further. Each page read is audited."""

    required_perms = "retention.view_riskalert"
    serializer_class = AlertOutputSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = AlertFilterSet
    queryset = RiskAlert.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return retention_selectors.alerts_visible_to(self.request.user)


class AlertAcknowledgeApi(APIView):
    required_perms = "retention.change_riskalert"

    @extend_schema(request=None, responses=AlertOutputSerializer)
    def post(self, request: Request, alert_id: int) -> Response:
        alert = retention_selectors.alert_get_visible(user=request.user, alert_id=alert_id)
        alert = services.risk_alert_acknowledge(alert=alert, user=request.user)
        return Response(AlertOutputSerializer(alert).data)
