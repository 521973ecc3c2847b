"""Hiring APIs: one view per operation, the same rules as the pages.

Rights are each view's ``required_perms`` (checked by ``accounts.access.RelayPermission``: a
role without them gets 403); scope is the ``*_visible_to`` selectors (out of scope is a 404).
Lists filter through ``handover.filters`` (the pages' FilterSets) and answer in the one
envelope; a service's ``ApplicationError`` becomes a 400 in the one exception handler.
Salary bands appear only for roles holding ``handover.see_salary_band`` (HR and admins); for
everyone else the fields are left out. A referrer from outside the caller's scope appears
without name or id.
"""

from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import get_visible_or_404, teams_visible_to, users_visible_to
from config.limits import decimal_shape, integer_max
from config.pagination import RelayPagination
from handover import filters
from handover.hiring import costs, selectors, services
from handover.models import Application, Candidate, OnboardingPlan, OnboardingTask, Vacancy
from retention import people
from retention.filters import MAX_ID
from retention.selectors import reps_visible

MANAGE = selectors.MANAGE_HIRING


@extend_schema_field(OpenApiTypes.INT)
class InScope(serializers.PrimaryKeyRelatedField):
    """An id that must name an object the caller may see (``visible_to(user=…)``)."""

    def __init__(self, visible_to, **kwargs) -> None:
        self.visible_to = visible_to
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.visible_to(user=self.context["request"].user)


def _managers_visible_to(*, user):
    return users_visible_to(user=user).filter(role="sales_manager")


def _paginated(view: APIView, request: Request, rows, serializer_class) -> Response:
    """A computed list (not a queryset) in the one envelope."""
    paginator = RelayPagination()
    page = paginator.paginate_queryset(rows, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)


# --- vacancies ---------------------------------------------------------------------------------

SALARY_FIELDS = ("salary_min", "salary_max")
# What the columns hold: a larger number is a 400 naming the field, not a database error.
HEADCOUNT_MAX = integer_max(Vacancy, "approved_headcount")
SALARY_SHAPE = decimal_shape(Vacancy, "salary_min")
EXPERIENCE_SHAPE = decimal_shape(Candidate, "sales_experience_years")


class VacancyOutputSerializer(serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name")
    hiring_manager = serializers.SerializerMethodField(
        help_text="Null when the caller may not see the hiring manager named."
    )
    hiring_manager_name = serializers.SerializerMethodField()
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
            "hiring_manager_name",
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

    def _manager_shown(self, vacancy: Vacancy) -> bool:
        if "managers_shown" not in self.context:  # once per response, not once per row
            viewer = self.context["request"].user
            self.context["managers_shown"] = set(
                _managers_visible_to(user=viewer).values_list("pk", flat=True)
            )
        return vacancy.hiring_manager_id in self.context["managers_shown"]

    def get_hiring_manager(self, vacancy: Vacancy) -> int | None:
        return vacancy.hiring_manager_id if self._manager_shown(vacancy) else None

    def get_hiring_manager_name(self, vacancy: Vacancy) -> str:
        if vacancy.hiring_manager is None:
            return ""
        if self._manager_shown(vacancy):
            return str(vacancy.hiring_manager)
        return people.unnamed_user()

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


class VacancyListApi(generics.ListAPIView):
    """Vacancies in the caller's scope, with days open and time to fill; the filters of the
    vacancies page (``q``, ``status``, ``reason``, ``team``)."""

    required_perms = "handover.view_vacancy"
    serializer_class = VacancyOutputSerializer
    filterset_class = filters.VacancyFilter
    ordering_fields = ["opened_on", "target_fill_date", "filled_on"]
    ordering = ["-opened_on", "-id"]
    queryset = Vacancy.objects.none()

    def get_queryset(self):
        return selectors.vacancies_visible_to(user=self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "show_salary": sees_salary(self.request)}


def sees_salary(request: Request) -> bool:
    return selectors.sees_salary(request.user)


class VacancyDetailApi(APIView):
    required_perms = "handover.view_vacancy"

    class OutputSerializer(VacancyOutputSerializer):
        class StakeSerializer(serializers.Serializer):
            trailing_won = serializers.FloatField()
            per_day = serializers.FloatField()
            days_open = serializers.IntegerField()
            at_stake = serializers.FloatField()
            until = serializers.DateField(
                help_text="The last day of the 12 months: the leaving rep's last day, or today "
                "while they serve their notice."
            )
            serving_notice = serializers.BooleanField()

        class CoverSerializer(serializers.Serializer):
            customer_id = serializers.IntegerField()
            customer_name = serializers.CharField()
            covers = serializers.ListField(child=serializers.CharField())

        sales_at_stake = serializers.SerializerMethodField()
        temporary_covers = serializers.SerializerMethodField()
        successor_plan_id = serializers.SerializerMethodField()

        class Meta(VacancyOutputSerializer.Meta):
            fields = [
                *VacancyOutputSerializer.Meta.fields,
                "sales_at_stake",
                "temporary_covers",
                "successor_plan_id",
            ]

        @extend_schema_field(serializers.IntegerField(allow_null=True))
        def get_successor_plan_id(self, vacancy: Vacancy) -> int | None:
            plan = selectors.vacancy_successor_plan(vacancy=vacancy)
            return plan.pk if plan else None

        @extend_schema_field(StakeSerializer(allow_null=True))
        def get_sales_at_stake(self, vacancy: Vacancy) -> dict | None:
            stake = selectors.vacancy_sales_at_stake(vacancy=vacancy, today=timezone.localdate())
            return self.StakeSerializer(stake).data if stake else None

        @extend_schema_field(CoverSerializer(many=True))
        def get_temporary_covers(self, vacancy: Vacancy) -> list[dict]:
            rows = selectors.vacancy_temporary_covers(
                viewer=self.context["request"].user, vacancy=vacancy, today=timezone.localdate()
            )
            return self.CoverSerializer(rows, many=True).data

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request, vacancy_id: int) -> Response:
        vacancy = selectors.vacancy_get_visible(user=request.user, vacancy_id=vacancy_id)
        context = {"show_salary": sees_salary(request), "request": request}
        return Response(self.OutputSerializer(vacancy, context=context).data)


class VacancyCreateApi(APIView):
    required_perms = MANAGE

    class InputSerializer(serializers.Serializer):
        team = InScope(teams_visible_to)
        role = serializers.CharField(max_length=120, default="Sales representative")
        reason = serializers.ChoiceField(
            choices=Vacancy.Reason.choices, default=Vacancy.Reason.GROWTH
        )
        region = serializers.CharField(max_length=120, required=False, default="")
        territory = serializers.CharField(max_length=120, required=False, default="")
        hiring_manager = InScope(
            _managers_visible_to, required=False, allow_null=True, default=None
        )
        approved_headcount = serializers.IntegerField(
            min_value=1, max_value=HEADCOUNT_MAX, default=1
        )
        salary_min = serializers.DecimalField(
            **SALARY_SHAPE, min_value=0, required=False, allow_null=True, default=None
        )
        salary_max = serializers.DecimalField(
            **SALARY_SHAPE, min_value=0, required=False, allow_null=True, default=None
        )
        opened_on = serializers.DateField()
        target_fill_date = serializers.DateField(required=False, allow_null=True, default=None)
        notes = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses={201: VacancyOutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        vacancy = services.vacancy_create(**data.validated_data)
        context = {"show_salary": sees_salary(request), "request": request}
        output = VacancyOutputSerializer(vacancy, context=context)
        return Response(output.data, status=status.HTTP_201_CREATED)


class VacancyUpdateApi(APIView):
    """Change requisition fields (HR and admins). Send only the fields to change."""

    required_perms = MANAGE

    class InputSerializer(serializers.Serializer):
        role = serializers.CharField(max_length=120, required=False)
        region = serializers.CharField(max_length=120, required=False, allow_blank=True)
        territory = serializers.CharField(max_length=120, required=False, allow_blank=True)
        hiring_manager = InScope(_managers_visible_to, required=False, allow_null=True)
        approved_headcount = serializers.IntegerField(
            min_value=1, max_value=HEADCOUNT_MAX, required=False
        )
        salary_min = serializers.DecimalField(
            **SALARY_SHAPE, min_value=0, required=False, allow_null=True
        )
        salary_max = serializers.DecimalField(
            **SALARY_SHAPE, min_value=0, required=False, allow_null=True
        )
        target_fill_date = serializers.DateField(required=False, allow_null=True)
        notes = serializers.CharField(required=False, allow_blank=True)

    @extend_schema(request=InputSerializer, responses=VacancyOutputSerializer)
    def post(self, request: Request, vacancy_id: int) -> Response:
        vacancy = selectors.vacancy_get_visible(user=request.user, vacancy_id=vacancy_id)
        data = self.InputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        vacancy = services.vacancy_update(vacancy=vacancy, **data.validated_data)
        context = {"show_salary": sees_salary(request), "request": request}
        return Response(VacancyOutputSerializer(vacancy, context=context).data)


class VacancyMatchesApi(APIView):
    """The available pool ranked by fit for the vacancy, with the reasons (HR and admins)."""

    required_perms = MANAGE

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
        vacancy = selectors.vacancy_get_visible(user=request.user, vacancy_id=vacancy_id)
        ranked = selectors.vacancy_ranked_pool(vacancy=vacancy, today=timezone.localdate())
        return _paginated(self, request, ranked, self.OutputSerializer)


# --- candidates --------------------------------------------------------------------------------


class CandidateOutputSerializer(serializers.ModelSerializer):
    """A candidate; the referrer and the existing rep record are named only within the
    caller's scope (otherwise ``referrer`` is null and ``referrer_name`` says "a rep of another
    team")."""

    referrer = serializers.SerializerMethodField()
    referrer_name = serializers.SerializerMethodField()
    existing_rep = serializers.SerializerMethodField()

    class Meta:
        model = Candidate
        fields = [
            "id",
            "first_name",
            "last_name",
            "email",
            "source",
            "referrer",
            "referrer_name",
            "existing_rep",
            "region",
            "sales_experience_years",
            "bench_ready",
            "earliest_start",
            "status",
            "last_decline_reason",
        ]

    def _viewer(self):
        return self.context["request"].user

    def get_referrer(self, candidate: Candidate) -> int | None:
        shown = people.rep_in_scope(viewer=self._viewer(), rep=candidate.referrer)
        return candidate.referrer_id if shown else None

    def get_referrer_name(self, candidate: Candidate) -> str:
        return people.rep_label(viewer=self._viewer(), rep=candidate.referrer)

    def get_existing_rep(self, candidate: Candidate) -> int | None:
        shown = people.rep_in_scope(viewer=self._viewer(), rep=candidate.existing_rep)
        return candidate.existing_rep_id if shown else None


class CandidateListApi(generics.ListAPIView):
    """The pool (HR and admins) or the candidates on the caller's teams' vacancies (managers);
    the filters of the candidates page (``q``, ``source``, ``status``, ``region``,
    ``bench_ready``)."""

    required_perms = "handover.view_candidate"
    serializer_class = CandidateOutputSerializer
    filterset_class = filters.CandidateFilter
    ordering_fields = ["last_name", "earliest_start", "sales_experience_years"]
    ordering = ["last_name", "first_name", "id"]
    queryset = Candidate.objects.none()

    def get_queryset(self):
        return selectors.candidates_visible_to(user=self.request.user)


class CandidateDetailApi(APIView):
    required_perms = "handover.view_candidate"

    @extend_schema(responses=CandidateOutputSerializer)
    def get(self, request: Request, candidate_id: int) -> Response:
        candidate = selectors.candidate_get_visible(user=request.user, candidate_id=candidate_id)
        return Response(CandidateOutputSerializer(candidate, context={"request": request}).data)


class CandidateCreateApi(APIView):
    required_perms = MANAGE

    class InputSerializer(serializers.Serializer):
        first_name = serializers.CharField(max_length=80)
        last_name = serializers.CharField(max_length=80)
        email = serializers.EmailField(required=False, default="")
        phone = serializers.CharField(max_length=40, required=False, default="")
        source = serializers.ChoiceField(choices=Candidate.Source.choices)
        referrer = InScope(reps_visible, required=False, allow_null=True, default=None)
        existing_rep = InScope(reps_visible, required=False, allow_null=True, default=None)
        region = serializers.CharField(max_length=120, required=False, default="")
        sales_experience_years = serializers.DecimalField(
            **EXPERIENCE_SHAPE, min_value=0, default=0
        )
        bench_ready = serializers.BooleanField(default=False)
        earliest_start = serializers.DateField(required=False, allow_null=True, default=None)
        notes = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses={201: CandidateOutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        candidate = services.candidate_create(**data.validated_data)
        output = CandidateOutputSerializer(candidate, context={"request": request})
        return Response(output.data, status=status.HTTP_201_CREATED)


class CandidateUpdateApi(APIView):
    """Keep a pool record current (HR and admins). Send only the fields to change."""

    required_perms = MANAGE

    class InputSerializer(serializers.Serializer):
        first_name = serializers.CharField(max_length=80, required=False)
        last_name = serializers.CharField(max_length=80, required=False)
        email = serializers.EmailField(required=False, allow_blank=True)
        phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
        source = serializers.ChoiceField(choices=Candidate.Source.choices, required=False)
        referrer = InScope(reps_visible, required=False, allow_null=True)
        region = serializers.CharField(max_length=120, required=False, allow_blank=True)
        sales_experience_years = serializers.DecimalField(
            **EXPERIENCE_SHAPE, min_value=0, required=False
        )
        bench_ready = serializers.BooleanField(required=False)
        earliest_start = serializers.DateField(required=False, allow_null=True)
        notes = serializers.CharField(required=False, allow_blank=True)

    @extend_schema(request=InputSerializer, responses=CandidateOutputSerializer)
    def post(self, request: Request, candidate_id: int) -> Response:
        candidate = selectors.candidate_get_visible(user=request.user, candidate_id=candidate_id)
        data = self.InputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        candidate = services.candidate_update(candidate=candidate, **data.validated_data)
        return Response(CandidateOutputSerializer(candidate, context={"request": request}).data)


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


class ApplicationListApi(generics.ListAPIView):
    """Applications on vacancies in scope; the filters of the pipeline page (``vacancy``,
    ``stage``, ``source``, ``team``)."""

    required_perms = "handover.view_application"
    serializer_class = ApplicationOutputSerializer
    filterset_class = filters.ApplicationFilter
    ordering_fields = ["stage_entered_at"]
    ordering = ["-stage_entered_at", "-id"]
    queryset = Application.objects.none()

    def get_queryset(self):
        return selectors.applications_visible_to(user=self.request.user)


class ApplicationCreateApi(APIView):
    required_perms = MANAGE

    class InputSerializer(serializers.Serializer):
        vacancy = serializers.IntegerField(min_value=1, max_value=MAX_ID)
        candidate = serializers.IntegerField(min_value=1, max_value=MAX_ID)

    @extend_schema(request=InputSerializer, responses={201: ApplicationOutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        vacancy = selectors.vacancy_get_visible(
            user=request.user, vacancy_id=data.validated_data["vacancy"]
        )
        candidate = get_visible_or_404(
            selectors.candidate_pool(), pk=data.validated_data["candidate"]
        )
        application = services.application_create(
            vacancy=vacancy, candidate=candidate, by=request.user
        )
        return Response(
            ApplicationOutputSerializer(application).data, status=status.HTTP_201_CREATED
        )


class ApplicationStageMoveApi(APIView):
    """Move to another stage. A declined offer (offer → withdrew) needs a reason; hired creates
    the new rep and their onboarding plan."""

    required_perms = MANAGE

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
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application = services.application_move(
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
    """The application's moves, oldest first; who moved it is named within the caller's scope."""

    required_perms = "handover.view_application"

    class OutputSerializer(serializers.Serializer):
        from_stage = serializers.CharField()
        to_stage = serializers.CharField()
        changed_at = serializers.DateTimeField()
        changed_by = serializers.CharField(source="changed_by_label", allow_null=True)
        note = serializers.CharField(source="note_text", help_text="In the caller's language.")

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request: Request, application_id: int) -> Response:
        application = selectors.application_get_visible(
            user=request.user, application_id=application_id
        )
        history = selectors.application_history(application=application)
        names = people.user_labels(viewer=request.user, people=[c.changed_by for c in history])
        for change in history:
            change.changed_by_label = names.get(change.changed_by_id)
        return _paginated(self, request, history, self.OutputSerializer)


class InterviewFeedbackCreateApi(APIView):
    """Comment on and rate an interview: HR, admins and managers of the vacancy's team."""

    required_perms = "handover.add_interviewfeedback"

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
        application = selectors.application_get_visible(
            user=request.user, application_id=application_id
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        feedback = services.interview_feedback_add(
            application=application,
            author=request.user,
            **data.validated_data,
        )
        return Response(self.OutputSerializer(feedback).data, status=status.HTTP_201_CREATED)


# --- onboarding --------------------------------------------------------------------------------


class OnboardingTaskOutputSerializer(serializers.ModelSerializer):
    done = serializers.BooleanField(source="is_done")
    title = serializers.CharField(source="title_text", help_text="In the caller's language.")

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
    required_perms = "handover.view_onboardingplan"
    serializer_class = OnboardingPlanOutputSerializer
    filterset_class = filters.OnboardingPlanFilter
    ordering = ["-start_date", "-id"]
    ordering_fields = ["start_date"]
    queryset = OnboardingPlan.objects.none()

    def get_queryset(self):
        return selectors.onboarding_plans_visible_to(user=self.request.user)


class OnboardingPlanDetailApi(APIView):
    required_perms = "handover.view_onboardingplan"

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
        plan = selectors.onboarding_plan_get_visible(user=request.user, plan_id=plan_id)
        return Response(self.OutputSerializer(plan).data)


class OnboardingTaskDoneApi(APIView):
    required_perms = "handover.change_onboardingtask"

    class InputSerializer(serializers.Serializer):
        done = serializers.BooleanField()

    @extend_schema(request=InputSerializer, responses=OnboardingTaskOutputSerializer)
    def post(self, request: Request, task_id: int) -> Response:
        task = selectors.onboarding_task_get_visible(user=request.user, task_id=task_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = services.onboarding_task_set_done(
            task=task, done=data.validated_data["done"], by=request.user
        )
        return Response(OnboardingTaskOutputSerializer(task).data)


# --- departure costs ---------------------------------------------------------------------------


class DeparturePhaseSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="before_leaving, vacancy or ramp_up")
    start = serializers.DateField()
    end = serializers.DateField()
    is_open = serializers.BooleanField()
    expected = serializers.FloatField()
    actual = serializers.FloatField()
    gross_lost = serializers.FloatField()
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)


class DepartureCostListApi(generics.ListAPIView):
    """The cost of each departure in scope: sales its territory did not make against comparable
    territories (a difference-in-differences; the method is on the page and in
    ``handover.hiring.costs``), split into before leaving, vacancy, ramp-up and customers lost,
    with a 90% range and the counts it rests on. Positive = sales lost. The parameters of the
    page (``team``, ``year``, ``window``, ``target``)."""

    required_perms = "handover.view_vacancy"
    filterset_class = filters.DepartureCostFilter
    filter_backends = [DjangoFilterBackend]  # for the schema; list() reads the FilterSet

    class OutputSerializer(serializers.Serializer):
        rep_id = serializers.IntegerField(source="rep.id")
        rep_name = serializers.CharField(source="rep.full_name")
        team = serializers.CharField(source="rep.team.name")
        last_day = serializers.DateField(source="rep.departure_date")
        risk_flag_on = serializers.DateField(allow_null=True)
        successor_id = serializers.IntegerField(source="successor.id", allow_null=True)
        measured = serializers.BooleanField(source="cost.measured")
        not_measured = serializers.CharField(source="cost.not_measured")
        baseline_start = serializers.DateField(source="cost.baseline_start", allow_null=True)
        baseline_end = serializers.DateField(source="cost.baseline_end", allow_null=True)
        baseline_sales = serializers.FloatField(source="cost.baseline_sales")
        territory_customers = serializers.IntegerField(source="cost.territory_customers")
        territory_deals = serializers.IntegerField(source="cost.territory_deals")
        controls = serializers.CharField(source="cost.controls")
        control_reps = serializers.IntegerField(source="cost.control_reps")
        control_customers = serializers.IntegerField(source="cost.control_customers")
        control_deals = serializers.IntegerField(source="cost.control_deals")
        phases = serializers.SerializerMethodField()
        expected = serializers.FloatField(source="cost.expected_total")
        actual = serializers.FloatField(source="cost.actual_total")
        lost_before_leaving = serializers.SerializerMethodField()
        lost_vacancy = serializers.SerializerMethodField()
        lost_ramp_up = serializers.SerializerMethodField()
        lost_customers_churned = serializers.SerializerMethodField()
        customers_lost = serializers.FloatField(source="cost.churn.customers_lost")
        total_lost = serializers.FloatField(source="cost.total_lost")
        total_low = serializers.SerializerMethodField()
        total_high = serializers.SerializerMethodField()

        @extend_schema_field(DeparturePhaseSerializer(many=True))
        def get_phases(self, row) -> list[dict]:
            return DeparturePhaseSerializer(row.cost.phases, many=True).data

        def get_lost_before_leaving(self, row) -> float:
            return row.cost.lost(costs.PHASE_BEFORE)

        def get_lost_vacancy(self, row) -> float:
            return row.cost.lost(costs.PHASE_VACANCY)

        def get_lost_ramp_up(self, row) -> float:
            return row.cost.lost(costs.PHASE_RAMP)

        def get_lost_customers_churned(self, row) -> float:
            return row.cost.lost(costs.PART_CHURN)

        def get_total_low(self, row) -> float | None:
            found = row.cost.interval
            return found[0] if found else None

        def get_total_high(self, row) -> float | None:
            found = row.cost.interval
            return found[1] if found else None

    def get_queryset(self):
        return selectors.departures_visible_to(user=self.request.user, as_of=timezone.localdate())

    def get_serializer_class(self):
        return self.OutputSerializer

    def list(self, request: Request, *args, **kwargs) -> Response:
        found = self.filterset_class(request.query_params, queryset=self.get_queryset())
        if not found.is_valid():
            raise ValidationError(found.errors)
        window = found.form.cleaned_data.get("window") or selectors.PRE_WINDOW_DAYS
        target = found.form.cleaned_data.get("target")
        page = self.paginate_queryset(found.qs)
        rows = selectors.departure_costs(
            reps=page,
            as_of=timezone.localdate(),
            pre_window_days=window,
            target_share=selectors.ramp_target_share(target),
        )
        return self.get_paginated_response(self.OutputSerializer(rows, many=True).data)
