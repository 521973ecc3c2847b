"""Hiring APIs: one view per operation, the same scoping as the pages (out of scope is a 404).

Salary bands appear only for HR and admins; for everyone else the fields are left out.
Writes (opening vacancies, adding candidates, moving stages) are for HR and admins; managers
may add interview feedback and tick onboarding tasks within their teams.
"""

import django_filters
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Team, User
from handover.hiring import costs, selectors, services
from handover.models import Application, Candidate, OnboardingPlan, OnboardingTask, Vacancy
from retention.models import SalesRep


def _require_hiring_access(user: User) -> None:
    if not (user.sees_everyone or user.is_sales_manager):
        raise PermissionDenied("Hiring is for HR, admins and sales managers.")


def _require_manage(user: User) -> None:
    if not selectors.can_manage_hiring(user):
        raise PermissionDenied("Only HR and admins may do this.")


def _call(service, **kwargs):
    """Run a service; its ValueError becomes a 400 with the message."""
    try:
        return service(**kwargs)
    except ValueError as exc:
        raise ValidationError({"detail": str(exc)}) from exc


# --- vacancies ---------------------------------------------------------------------------------

SALARY_FIELDS = ("salary_min", "salary_max")


class VacancyOutputSerializer(serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name")
    leaving_rep_name = serializers.CharField(
        source="leaving_rep.full_name", default=None, allow_null=True
    )
    days_open = serializers.SerializerMethodField()
    time_to_fill_days = serializers.SerializerMethodField()
    salary_min = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        allow_null=True,
        required=False,
        help_text="Only for HR and admins; left out for everyone else.",
    )
    salary_max = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        allow_null=True,
        required=False,
        help_text="Only for HR and admins; left out for everyone else.",
    )

    class Meta:
        model = Vacancy
        fields = [
            "id",
            "status",
            "reason",
            "role",
            "team",
            "team_name",
            "region",
            "territory",
            "leaving_rep",
            "leaving_rep_name",
            "hiring_manager",
            "approved_headcount",
            "salary_min",
            "salary_max",
            "opened_on",
            "target_fill_date",
            "filled_on",
            "successor",
            "days_open",
            "time_to_fill_days",
        ]

    def get_days_open(self, vacancy: Vacancy) -> int:
        return selectors.vacancy_days_open(vacancy, today=timezone.localdate())

    def get_time_to_fill_days(self, vacancy: Vacancy) -> int | None:
        return selectors.vacancy_time_to_fill(vacancy)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("show_salary"):
            for name in SALARY_FIELDS:
                data.pop(name, None)
        return data


class VacancyFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Vacancy.Status.choices)
    team = django_filters.NumberFilter(field_name="team_id")
    reason = django_filters.ChoiceFilter(choices=Vacancy.Reason.choices)

    class Meta:
        model = Vacancy
        fields = ["status", "team", "reason"]


class VacancyListApi(generics.ListAPIView):
    """Vacancies in the caller's scope, with days open and time to fill."""

    serializer_class = VacancyOutputSerializer
    filterset_class = VacancyFilter
    search_fields = ["role", "territory", "leaving_rep__last_name"]
    ordering_fields = ["opened_on", "target_fill_date", "filled_on"]
    ordering = ["-opened_on", "-id"]
    queryset = Vacancy.objects.none()

    def get_queryset(self):
        _require_hiring_access(self.request.user)
        return selectors.vacancies_visible(user=self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "show_salary": sees_salary(self.request)}


def sees_salary(request: Request) -> bool:
    return selectors.sees_salary(request.user)


class VacancyDetailApi(APIView):
    class OutputSerializer(VacancyOutputSerializer):
        class StakeSerializer(serializers.Serializer):
            trailing_won = serializers.FloatField()
            per_day = serializers.FloatField()
            days_open = serializers.IntegerField()
            at_stake = serializers.FloatField()

        class CoverSerializer(serializers.Serializer):
            customer_id = serializers.IntegerField()
            customer_name = serializers.CharField()
            covers = serializers.ListField(child=serializers.CharField())

        sales_at_stake = serializers.SerializerMethodField()
        temporary_covers = serializers.SerializerMethodField()

        class Meta(VacancyOutputSerializer.Meta):
            fields = [*VacancyOutputSerializer.Meta.fields, "sales_at_stake", "temporary_covers"]

        @extend_schema_field(StakeSerializer(allow_null=True))
        def get_sales_at_stake(self, vacancy: Vacancy) -> dict | None:
            stake = selectors.vacancy_sales_at_stake(vacancy=vacancy, today=timezone.localdate())
            return self.StakeSerializer(stake).data if stake else None

        @extend_schema_field(CoverSerializer(many=True))
        def get_temporary_covers(self, vacancy: Vacancy) -> list[dict]:
            rows = selectors.vacancy_temporary_covers(vacancy=vacancy, today=timezone.localdate())
            return self.CoverSerializer(rows, many=True).data

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request, vacancy_id: int) -> Response:
        _require_hiring_access(request.user)
        vacancy = selectors.vacancy_get_visible(user=request.user, vacancy_id=vacancy_id)
        context = {"show_salary": sees_salary(request)}
        return Response(self.OutputSerializer(vacancy, context=context).data)


class VacancyCreateApi(APIView):
    class InputSerializer(serializers.Serializer):
        team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all())
        role = serializers.CharField(max_length=120, default="Sales representative")
        reason = serializers.ChoiceField(
            choices=Vacancy.Reason.choices, default=Vacancy.Reason.GROWTH
        )
        region = serializers.CharField(max_length=120, required=False, default="")
        territory = serializers.CharField(max_length=120, required=False, default="")
        hiring_manager = serializers.PrimaryKeyRelatedField(
            queryset=User.objects.all(), required=False, allow_null=True, default=None
        )
        approved_headcount = serializers.IntegerField(min_value=1, default=1)
        salary_min = serializers.DecimalField(
            max_digits=12, decimal_places=2, required=False, allow_null=True, default=None
        )
        salary_max = serializers.DecimalField(
            max_digits=12, decimal_places=2, required=False, allow_null=True, default=None
        )
        opened_on = serializers.DateField()
        target_fill_date = serializers.DateField(required=False, allow_null=True, default=None)
        notes = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses={201: VacancyOutputSerializer})
    def post(self, request: Request) -> Response:
        _require_manage(request.user)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        vacancy = _call(services.vacancy_create, **data.validated_data)
        output = VacancyOutputSerializer(vacancy, context={"show_salary": True})
        return Response(output.data, status=status.HTTP_201_CREATED)


class VacancyUpdateApi(APIView):
    """Change requisition fields (HR and admins). Send only the fields to change."""

    class InputSerializer(serializers.Serializer):
        role = serializers.CharField(max_length=120, required=False)
        region = serializers.CharField(max_length=120, required=False, allow_blank=True)
        territory = serializers.CharField(max_length=120, required=False, allow_blank=True)
        hiring_manager = serializers.PrimaryKeyRelatedField(
            queryset=User.objects.all(), required=False, allow_null=True
        )
        approved_headcount = serializers.IntegerField(min_value=1, required=False)
        salary_min = serializers.DecimalField(
            max_digits=12, decimal_places=2, required=False, allow_null=True
        )
        salary_max = serializers.DecimalField(
            max_digits=12, decimal_places=2, required=False, allow_null=True
        )
        target_fill_date = serializers.DateField(required=False, allow_null=True)
        notes = serializers.CharField(required=False, allow_blank=True)

    @extend_schema(request=InputSerializer, responses=VacancyOutputSerializer)
    def post(self, request: Request, vacancy_id: int) -> Response:
        vacancy = selectors.vacancy_get_visible(user=request.user, vacancy_id=vacancy_id)
        _require_manage(request.user)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        vacancy = _call(services.vacancy_update, vacancy=vacancy, **data.validated_data)
        return Response(VacancyOutputSerializer(vacancy, context={"show_salary": True}).data)


class VacancyMatchesApi(APIView):
    """The available pool ranked by fit for the vacancy, with the reasons (HR and admins)."""

    class OutputSerializer(serializers.Serializer):
        candidate_id = serializers.IntegerField(source="candidate.id")
        name = serializers.CharField(source="candidate.full_name")
        source = serializers.CharField(source="candidate.source")
        region = serializers.CharField(source="candidate.region")
        bench_ready = serializers.BooleanField(source="candidate.bench_ready")
        earliest_start = serializers.DateField(source="candidate.earliest_start", allow_null=True)
        score = serializers.FloatField()
        reasons = serializers.ListField(child=serializers.CharField())

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request: Request, vacancy_id: int) -> Response:
        _require_hiring_access(request.user)
        vacancy = selectors.vacancy_get_visible(user=request.user, vacancy_id=vacancy_id)
        _require_manage(request.user)
        ranked = selectors.vacancy_ranked_pool(vacancy=vacancy, today=timezone.localdate())
        return Response(self.OutputSerializer(ranked, many=True).data)


# --- candidates --------------------------------------------------------------------------------


class CandidateOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Candidate
        fields = [
            "id",
            "first_name",
            "last_name",
            "email",
            "source",
            "referrer",
            "existing_rep",
            "region",
            "sales_experience_years",
            "bench_ready",
            "earliest_start",
            "status",
            "last_decline_reason",
        ]


class CandidateFilter(django_filters.FilterSet):
    source = django_filters.ChoiceFilter(choices=Candidate.Source.choices)
    status = django_filters.ChoiceFilter(choices=Candidate.Status.choices)
    region = django_filters.CharFilter(lookup_expr="iexact")
    bench_ready = django_filters.BooleanFilter()

    class Meta:
        model = Candidate
        fields = ["source", "status", "region", "bench_ready"]


class CandidateListApi(generics.ListAPIView):
    """The pool (HR and admins) or the candidates on the caller's teams' vacancies (managers)."""

    serializer_class = CandidateOutputSerializer
    filterset_class = CandidateFilter
    search_fields = ["first_name", "last_name", "email"]
    ordering_fields = ["last_name", "earliest_start", "sales_experience_years"]
    ordering = ["last_name", "first_name", "id"]
    queryset = Candidate.objects.none()

    def get_queryset(self):
        _require_hiring_access(self.request.user)
        return selectors.candidates_visible(user=self.request.user)


class CandidateDetailApi(APIView):
    @extend_schema(responses=CandidateOutputSerializer)
    def get(self, request: Request, candidate_id: int) -> Response:
        _require_hiring_access(request.user)
        candidate = selectors.candidate_get_visible(user=request.user, candidate_id=candidate_id)
        return Response(CandidateOutputSerializer(candidate).data)


class CandidateCreateApi(APIView):
    class InputSerializer(serializers.Serializer):
        first_name = serializers.CharField(max_length=80)
        last_name = serializers.CharField(max_length=80)
        email = serializers.EmailField(required=False, default="")
        phone = serializers.CharField(max_length=40, required=False, default="")
        source = serializers.ChoiceField(choices=Candidate.Source.choices)
        referrer = serializers.PrimaryKeyRelatedField(
            queryset=SalesRep.objects.all(), required=False, allow_null=True, default=None
        )
        existing_rep = serializers.PrimaryKeyRelatedField(
            queryset=SalesRep.objects.all(), required=False, allow_null=True, default=None
        )
        region = serializers.CharField(max_length=120, required=False, default="")
        sales_experience_years = serializers.DecimalField(
            max_digits=4, decimal_places=1, min_value=0, default=0
        )
        bench_ready = serializers.BooleanField(default=False)
        earliest_start = serializers.DateField(required=False, allow_null=True, default=None)
        notes = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses={201: CandidateOutputSerializer})
    def post(self, request: Request) -> Response:
        _require_manage(request.user)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        candidate = _call(services.candidate_create, **data.validated_data)
        return Response(CandidateOutputSerializer(candidate).data, status=status.HTTP_201_CREATED)


class CandidateUpdateApi(APIView):
    """Keep a pool record current (HR and admins). Send only the fields to change."""

    class InputSerializer(serializers.Serializer):
        first_name = serializers.CharField(max_length=80, required=False)
        last_name = serializers.CharField(max_length=80, required=False)
        email = serializers.EmailField(required=False, allow_blank=True)
        phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
        source = serializers.ChoiceField(choices=Candidate.Source.choices, required=False)
        referrer = serializers.PrimaryKeyRelatedField(
            queryset=SalesRep.objects.all(), required=False, allow_null=True
        )
        region = serializers.CharField(max_length=120, required=False, allow_blank=True)
        sales_experience_years = serializers.DecimalField(
            max_digits=4, decimal_places=1, min_value=0, required=False
        )
        bench_ready = serializers.BooleanField(required=False)
        earliest_start = serializers.DateField(required=False, allow_null=True)
        notes = serializers.CharField(required=False, allow_blank=True)

    @extend_schema(request=InputSerializer, responses=CandidateOutputSerializer)
    def post(self, request: Request, candidate_id: int) -> Response:
        candidate = selectors.candidate_get_visible(user=request.user, candidate_id=candidate_id)
        _require_manage(request.user)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        candidate = _call(services.candidate_update, candidate=candidate, **data.validated_data)
        return Response(CandidateOutputSerializer(candidate).data)


# --- the pipeline ------------------------------------------------------------------------------


class ApplicationOutputSerializer(serializers.ModelSerializer):
    candidate_name = serializers.CharField(source="candidate.full_name")

    class Meta:
        model = Application
        fields = [
            "id",
            "candidate",
            "candidate_name",
            "vacancy",
            "stage",
            "stage_entered_at",
            "source",
            "decline_reason",
            "start_date",
        ]


class ApplicationFilter(django_filters.FilterSet):
    vacancy = django_filters.NumberFilter(field_name="vacancy_id")
    stage = django_filters.ChoiceFilter(choices=Application.Stage.choices)
    source = django_filters.ChoiceFilter(choices=Candidate.Source.choices)

    class Meta:
        model = Application
        fields = ["vacancy", "stage", "source"]


class ApplicationListApi(generics.ListAPIView):
    """Applications on vacancies in scope; filter by vacancy, stage and source."""

    serializer_class = ApplicationOutputSerializer
    filterset_class = ApplicationFilter
    ordering_fields = ["stage_entered_at"]
    ordering = ["-stage_entered_at", "-id"]
    queryset = Application.objects.none()

    def get_queryset(self):
        _require_hiring_access(self.request.user)
        return selectors.applications_visible(user=self.request.user)


class ApplicationCreateApi(APIView):
    class InputSerializer(serializers.Serializer):
        vacancy = serializers.IntegerField()
        candidate = serializers.IntegerField()

    @extend_schema(request=InputSerializer, responses={201: ApplicationOutputSerializer})
    def post(self, request: Request) -> Response:
        _require_manage(request.user)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        vacancy = selectors.vacancy_get_visible(
            user=request.user, vacancy_id=data.validated_data["vacancy"]
        )
        candidate = get_object_or_404(Candidate, pk=data.validated_data["candidate"])
        application = _call(
            services.application_create, vacancy=vacancy, candidate=candidate, by=request.user
        )
        return Response(
            ApplicationOutputSerializer(application).data, status=status.HTTP_201_CREATED
        )


class ApplicationStageMoveApi(APIView):
    """Move to another stage. A declined offer (offer → withdrew) needs a reason; hired creates
    the new rep and their onboarding plan."""

    class InputSerializer(serializers.Serializer):
        stage = serializers.ChoiceField(choices=Application.Stage.choices)
        reason = serializers.CharField(required=False, allow_blank=True, default="")
        start_date = serializers.DateField(required=False, allow_null=True, default=None)

    class OutputSerializer(ApplicationOutputSerializer):
        onboarding_plan = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

        class Meta(ApplicationOutputSerializer.Meta):
            fields = [*ApplicationOutputSerializer.Meta.fields, "onboarding_plan"]

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request: Request, application_id: int) -> Response:
        application = selectors.application_get_visible(
            user=request.user, application_id=application_id
        )
        _require_manage(request.user)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application = _call(
            services.application_move,
            application=application,
            to_stage=data.validated_data["stage"],
            by=request.user,
            reason=data.validated_data["reason"],
            start_date=data.validated_data["start_date"],
        )
        application = Application.objects.select_related("onboarding_plan", "candidate").get(
            pk=application.pk
        )
        return Response(self.OutputSerializer(application).data)


class ApplicationStageHistoryApi(APIView):
    class OutputSerializer(serializers.Serializer):
        from_stage = serializers.CharField()
        to_stage = serializers.CharField()
        changed_at = serializers.DateTimeField()
        changed_by = serializers.CharField(allow_null=True)
        note = serializers.CharField()

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request: Request, application_id: int) -> Response:
        _require_hiring_access(request.user)
        application = selectors.application_get_visible(
            user=request.user, application_id=application_id
        )
        history = selectors.application_history(application=application)
        return Response(self.OutputSerializer(history, many=True).data)


class InterviewFeedbackCreateApi(APIView):
    """Comment on and rate an interview: HR, admins and managers of the vacancy's team."""

    class InputSerializer(serializers.Serializer):
        rating = serializers.IntegerField(min_value=1, max_value=5)
        comment = serializers.CharField(required=False, allow_blank=True, default="")

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        rating = serializers.IntegerField()
        comment = serializers.CharField()
        author = serializers.CharField()
        created_at = serializers.DateTimeField()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request: Request, application_id: int) -> Response:
        _require_hiring_access(request.user)
        application = selectors.application_get_visible(
            user=request.user, application_id=application_id
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        feedback = _call(
            services.interview_feedback_add,
            application=application,
            author=request.user,
            **data.validated_data,
        )
        return Response(self.OutputSerializer(feedback).data, status=status.HTTP_201_CREATED)


# --- onboarding --------------------------------------------------------------------------------


class OnboardingTaskOutputSerializer(serializers.ModelSerializer):
    done = serializers.BooleanField(source="is_done")

    class Meta:
        model = OnboardingTask
        fields = [
            "id",
            "title",
            "kind",
            "owner_role",
            "customer",
            "introduced_by",
            "due_date",
            "done",
            "done_at",
        ]


class OnboardingPlanOutputSerializer(serializers.ModelSerializer):
    rep_name = serializers.CharField(source="rep.full_name")
    tasks_total = serializers.IntegerField()
    tasks_done = serializers.IntegerField()

    class Meta:
        model = OnboardingPlan
        fields = [
            "id",
            "rep",
            "rep_name",
            "vacancy",
            "application",
            "template",
            "start_date",
            "tasks_total",
            "tasks_done",
        ]


class OnboardingPlanListApi(generics.ListAPIView):
    serializer_class = OnboardingPlanOutputSerializer
    ordering = ["-start_date", "-id"]
    ordering_fields = ["start_date"]
    queryset = OnboardingPlan.objects.none()

    def get_queryset(self):
        _require_hiring_access(self.request.user)
        return selectors.onboarding_plans_visible(user=self.request.user)


class OnboardingPlanDetailApi(APIView):
    class OutputSerializer(OnboardingPlanOutputSerializer):
        class RampMonthSerializer(serializers.Serializer):
            month = serializers.IntegerField()
            start = serializers.DateField()
            end = serializers.DateField()
            weekly_output = serializers.FloatField()
            team_median_weekly = serializers.FloatField(allow_null=True)
            share = serializers.FloatField(allow_null=True)

        tasks = OnboardingTaskOutputSerializer(many=True)
        ramp_up = serializers.SerializerMethodField()

        class Meta(OnboardingPlanOutputSerializer.Meta):
            fields = [*OnboardingPlanOutputSerializer.Meta.fields, "tasks", "ramp_up"]

        @extend_schema_field(RampMonthSerializer(many=True))
        def get_ramp_up(self, plan: OnboardingPlan) -> list[dict]:
            ramp = selectors.rep_ramp_up(rep=plan.rep, as_of=timezone.localdate())
            return self.RampMonthSerializer(ramp.months, many=True).data

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request, plan_id: int) -> Response:
        _require_hiring_access(request.user)
        plan = selectors.onboarding_plan_get_visible(user=request.user, plan_id=plan_id)
        return Response(self.OutputSerializer(plan).data)


class OnboardingTaskDoneApi(APIView):
    class InputSerializer(serializers.Serializer):
        done = serializers.BooleanField()

    @extend_schema(request=InputSerializer, responses=OnboardingTaskOutputSerializer)
    def post(self, request: Request, task_id: int) -> Response:
        _require_hiring_access(request.user)
        task = selectors.onboarding_task_get_visible(user=request.user, task_id=task_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = services.onboarding_task_set_done(
            task=task, done=data.validated_data["done"], by=request.user
        )
        return Response(OnboardingTaskOutputSerializer(task).data)


# --- departure costs ---------------------------------------------------------------------------


class DepartureCostListApi(APIView):
    """The three-phase cost of each departure in scope (see the page for the method)."""

    class OutputSerializer(serializers.Serializer):
        rep_id = serializers.IntegerField(source="rep.id")
        rep_name = serializers.CharField(source="rep.full_name")
        team = serializers.CharField(source="rep.team.name")
        last_day = serializers.DateField(source="rep.departure_date")
        risk_flag_on = serializers.DateField(allow_null=True)
        successor_id = serializers.IntegerField(source="successor.id", allow_null=True)
        run_rate_per_day = serializers.FloatField(source="cost.run_rate_per_day")
        lost_before_leaving = serializers.SerializerMethodField()
        lost_vacancy = serializers.SerializerMethodField()
        lost_ramp_up = serializers.SerializerMethodField()
        total_lost = serializers.FloatField(source="cost.total_lost")

        def get_lost_before_leaving(self, row) -> float:
            return row.cost.lost(costs.PHASE_BEFORE)

        def get_lost_vacancy(self, row) -> float:
            return row.cost.lost(costs.PHASE_VACANCY)

        def get_lost_ramp_up(self, row) -> float:
            return row.cost.lost(costs.PHASE_RAMP)

    @extend_schema(
        parameters=[
            OpenApiParameter("team", int, required=False),
            OpenApiParameter("year", int, required=False),
        ],
        responses=OutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        _require_hiring_access(request.user)
        params = request.query_params
        try:
            team_id = int(params["team"]) if params.get("team") else None
            year = int(params["year"]) if params.get("year") else None
        except ValueError as exc:
            raise ValidationError({"detail": "team and year must be whole numbers"}) from exc
        if year is not None and not 1900 <= year <= 9999:
            raise ValidationError({"year": "year must be between 1900 and 9999"})
        rows = selectors.departure_costs(
            user=request.user, as_of=timezone.localdate(), team_id=team_id, year=year
        )
        return Response(self.OutputSerializer(rows, many=True).data)
