"""The dashboard's API: one APIView per operation, scoped like the pages (out of scope is 404)."""

from django.core.paginator import Paginator
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from retention import selectors as retention_selectors
from retention.dashboard import selectors, services
from retention.models import Intervention, RiskScore


class RunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    as_of = serializers.DateField()
    finished_at = serializers.DateTimeField()
    model_version = serializers.CharField(source="model.version", default=None)
    model_kind = serializers.CharField(source="model.kind", default=None)


class DashboardRepsApi(APIView):
    """Reps in scope with their current score and what is at stake: the team dashboard's table."""

    class InputSerializer(serializers.Serializer):
        q = serializers.CharField(required=False, allow_blank=True, max_length=100)
        team = serializers.IntegerField(required=False, min_value=1)
        band = serializers.ChoiceField(
            choices=[*RiskScore.Band.values, "none"], required=False, allow_blank=True
        )
        sort = serializers.ChoiceField(choices=list(selectors.DASHBOARD_SORTS), default="-risk")
        page = serializers.IntegerField(required=False, min_value=1, default=1)
        page_size = serializers.IntegerField(required=False, min_value=1, max_value=500, default=50)

    class OutputSerializer(serializers.Serializer):
        class RowSerializer(serializers.Serializer):
            id = serializers.IntegerField()
            name = serializers.CharField(source="full_name")
            team_id = serializers.IntegerField()
            team = serializers.CharField(source="team.name")
            status = serializers.CharField()
            band = serializers.CharField(allow_null=True)
            probability = serializers.FloatField(allow_null=True)
            change = serializers.FloatField(source="risk_change", allow_null=True)
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

        run = RunSerializer(allow_null=True)
        count = serializers.IntegerField()
        page = serializers.IntegerField()
        pages = serializers.IntegerField()
        results = RowSerializer(many=True)

    @extend_schema(parameters=[InputSerializer], responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        run = retention_selectors.scoring_run_latest_complete()
        query = selectors.DashboardQuery(
            search=data.get("q", "").strip(),
            team_id=data.get("team"),
            band=data.get("band", ""),
            sort=data["sort"],
        )
        reps = selectors.dashboard_reps(user=request.user, run=run, query=query)
        page = selectors.dashboard_page(reps=reps, number=data["page"], size=data["page_size"])
        rows = selectors.dashboard_rows_attach(reps=page.object_list, today=timezone.localdate())
        output = {
            "run": run,
            "count": page.paginator.count,
            "page": page.number,
            "pages": page.paginator.num_pages,
            "results": rows,
        }
        return Response(self.OutputSerializer(output).data)


class DashboardSummaryApi(APIView):
    """Counts by band, what high-risk reps hold, open alerts, overdue follow-ups, band history."""

    class OutputSerializer(serializers.Serializer):
        class HistorySerializer(serializers.Serializer):
            as_of = serializers.DateField()
            low = serializers.IntegerField()
            medium = serializers.IntegerField()
            high = serializers.IntegerField()

        run = RunSerializer(allow_null=True)
        band_counts = serializers.DictField(child=serializers.IntegerField())
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


class InterventionListApi(APIView):
    """A rep's intervention log, newest first."""

    @extend_schema(responses=InterventionOutputSerializer(many=True))
    def get(self, request: Request, rep_id: int) -> Response:
        rep = retention_selectors.rep_get_visible(user=request.user, rep_id=rep_id)
        interventions = selectors.rep_interventions(rep=rep)
        return Response(InterventionOutputSerializer(interventions, many=True).data)


class InterventionCreateApi(APIView):
    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=Intervention.Kind.choices)
        note = serializers.CharField(required=False, allow_blank=True, max_length=4000)
        owner = serializers.IntegerField(required=False, allow_null=True)
        follow_up_on = serializers.DateField(required=False, allow_null=True)

    @extend_schema(request=InputSerializer, responses={201: InterventionOutputSerializer})
    def post(self, request: Request, rep_id: int) -> Response:
        rep = retention_selectors.rep_get_visible(user=request.user, rep_id=rep_id)
        params = self.InputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        owner = None
        if data.get("owner"):
            owner = User.objects.filter(pk=data["owner"], is_active=True).first()
            if owner is None:
                raise serializers.ValidationError({"owner": f"no active user {data['owner']}"})
        intervention = services.intervention_create(
            rep=rep,
            kind=data["kind"],
            note=data.get("note", ""),
            owner=owner,
            follow_up_on=data.get("follow_up_on"),
            created_by=request.user,
        )
        return Response(
            InterventionOutputSerializer(intervention).data, status=status.HTTP_201_CREATED
        )


class InterventionOutcomeApi(APIView):
    class InputSerializer(serializers.Serializer):
        outcome = serializers.ChoiceField(choices=Intervention.Outcome.choices)
        follow_up_on = serializers.DateField(required=False, allow_null=True)

    @extend_schema(request=InputSerializer, responses=InterventionOutputSerializer)
    def post(self, request: Request, intervention_id: int) -> Response:
        intervention = selectors.intervention_get_visible(
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
    owner_id = serializers.IntegerField()
    owner_name = serializers.CharField()
    owner_email = serializers.CharField()
    owner_crm_user_id = serializers.CharField()
    owner_team = serializers.CharField()
    owner_probability = serializers.FloatField()
    alternate_kind = serializers.ChoiceField(choices=["backup", "team_rep", "manager", "none"])
    alternate_rep_id = serializers.IntegerField(allow_null=True)
    alternate_user_id = serializers.IntegerField(allow_null=True)
    alternate_name = serializers.CharField()
    alternate_email = serializers.CharField()
    alternate_crm_user_id = serializers.CharField()
    reason = serializers.CharField()


class RoutingApi(APIView):
    """Key customers whose owner is high risk, each with a suggested alternate and the reason."""

    @extend_schema(responses=RoutingOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        run = retention_selectors.scoring_run_latest_complete()
        rows = selectors.routing_rows(user=request.user, run=run)
        return Response(RoutingOutputSerializer(rows, many=True).data)


class AlertOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    rep_id = serializers.IntegerField()
    rep_name = serializers.CharField(source="rep.full_name")
    kind = serializers.CharField()
    message = serializers.CharField()
    band = serializers.CharField(source="score.band")
    probability = serializers.FloatField(source="score.probability")
    created_at = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    acknowledged_by = serializers.IntegerField(source="acknowledged_by_id", allow_null=True)


class AlertListApi(APIView):
    class InputSerializer(serializers.Serializer):
        state = serializers.ChoiceField(choices=["open", "acknowledged", "all"], default="open")
        page = serializers.IntegerField(required=False, min_value=1, default=1)

    class OutputSerializer(serializers.Serializer):
        count = serializers.IntegerField()
        page = serializers.IntegerField()
        pages = serializers.IntegerField()
        results = AlertOutputSerializer(many=True)

    @extend_schema(parameters=[InputSerializer], responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        alerts = selectors.alert_list(user=request.user, state=params.validated_data["state"])
        page = Paginator(alerts, 50).get_page(params.validated_data["page"])
        output = {
            "count": page.paginator.count,
            "page": page.number,
            "pages": page.paginator.num_pages,
            "results": list(page.object_list),
        }
        return Response(self.OutputSerializer(output).data)


class AlertAcknowledgeApi(APIView):
    @extend_schema(request=None, responses=AlertOutputSerializer)
    def post(self, request: Request, alert_id: int) -> Response:
        alert = selectors.alert_get_visible(user=request.user, alert_id=alert_id)
        alert = services.risk_alert_acknowledge(alert=alert, user=request.user)
        alert = selectors.alert_list(user=request.user, state="all").get(pk=alert.pk)
        return Response(AlertOutputSerializer(alert).data)
