"""APIs for handover plans, assignments, coverage and multi-threading.

One view per operation, nested input and output serializers. The same rules as the pages:
rights are each view's ``required_perms`` (a role without them gets 403); a plan, rep, manager
or customer outside the caller's scope is a 404; a person beside an object who is outside the
caller's scope appears without id or name. Lists filter through ``handover.filters`` and answer
in the one envelope; a service's ``ApplicationError`` (``PlanError``) is a 400 through the one
exception handler.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import get_visible_or_404, users_visible_to
from handover import filters
from handover.models import CoverageGap, HandoverItem, HandoverPlan
from handover.plans import cover, coverage, selectors, services
from retention import people
from retention.filters import MAX_ID, SingleThreadedFilterSet
from retention.knowledge.services import MAX_PART_CHARS
from retention.models import Assignment, Customer, CustomerKnowledge
from retention.selectors import (
    customer_get_visible,
    customers_visible,
    rep_get_visible,
    reps_visible,
)

VIEW_PLAN = "handover.view_handoverplan"
CHANGE_PLAN = "handover.change_handoverplan"
VIEW_COVERAGE = "handover.view_coveragegap"

# Fields naming a person beside a plan or an item: blanked when the caller may not see them.
PLAN_USER_FIELDS = ("created_by", "approved_by", "reversed_by")
ITEM_REP_FIELDS = ("suggested_rep", "chosen_rep")
ITEM_MANAGER_FIELDS = ("suggested_manager", "chosen_manager")


def _hide_people_outside_scope(*, viewer, plans: list[dict], items: list[dict]) -> None:
    """Blank the ids of people the caller may not see named (the same rule as the pages)."""
    rep_ids = {i[f] for i in items for f in ITEM_REP_FIELDS if i.get(f)}
    user_ids = {p[f] for p in plans for f in PLAN_USER_FIELDS if p.get(f)}
    user_ids |= {i[f] for i in items for f in ITEM_MANAGER_FIELDS if i.get(f)}
    reps_shown = set(reps_visible(user=viewer).filter(pk__in=rep_ids).values_list("pk", flat=True))
    users_shown = set(
        users_visible_to(user=viewer).filter(pk__in=user_ids).values_list("pk", flat=True)
    )
    for row in plans:
        for f in PLAN_USER_FIELDS:
            if row.get(f) and row[f] not in users_shown:
                row[f] = None
    for row in items:
        for f in ITEM_REP_FIELDS:
            if row.get(f) and row[f] not in reps_shown:
                row[f] = None
        for f in ITEM_MANAGER_FIELDS:
            if row.get(f) and row[f] not in users_shown:
                row[f] = None


class ItemNoteSerializer(serializers.Serializer):
    """The customer's current note as the item shows it (its full history:
    ``/api/customers/<id>/knowledge/history/``)."""

    version = serializers.IntegerField()
    needs = serializers.CharField()
    contacts = serializers.CharField()
    next_steps = serializers.CharField()
    open_issues = serializers.CharField()
    written_at = serializers.DateTimeField(source="created_at")


class ItemOutputSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name")
    is_key_account = serializers.BooleanField(source="customer.is_key_account")
    annual_revenue = serializers.DecimalField(
        source="customer.annual_revenue", max_digits=16, decimal_places=2
    )
    note = ItemNoteSerializer(
        source="knowledge",
        allow_null=True,
        help_text="What is known about the customer now (null: nothing written).",
    )
    note_complete = serializers.BooleanField()
    importance_reason = serializers.CharField(
        source="importance_reason_text", help_text="In the caller's language."
    )
    suggestion_reason = serializers.CharField(
        source="suggestion_reason_text", help_text="In the caller's language."
    )

    class Meta:
        model = HandoverItem
        fields = [
            "id",
            "rank",
            "customer",
            "customer_name",
            "is_key_account",
            "annual_revenue",
            "held_role",
            "importance",
            "importance_reason",
            "suggestion_kind",
            "suggested_rep",
            "suggested_manager",
            "suggestion_reason",
            "chosen_rep",
            "chosen_manager",
            "mode",
            "cover_until",
            "move_open_deals",
            "move_open_activities",
            "note",
            "note_complete",
            "opened_assignment",
        ]


class PlanOutputSerializer(serializers.ModelSerializer):
    rep_name = serializers.CharField(source="rep.full_name")
    notes_waived = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Customers (ids) whose missing note the approver confirmed was not needed.",
    )

    class Meta:
        model = HandoverPlan
        fields = [
            "id",
            "rep",
            "rep_name",
            "status",
            "origin",
            "created_at",
            "created_by",
            "approved_by",
            "approved_at",
            "applied_at",
            "effective_date",
            "reversed_by",
            "reversed_at",
            "reversal_reason",
            "notes_waived",
        ]


class PlanDetailOutputSerializer(PlanOutputSerializer):
    items = ItemOutputSerializer(many=True)
    missing_note_item_ids = serializers.ListField(child=serializers.IntegerField())

    class Meta(PlanOutputSerializer.Meta):
        fields = [*PlanOutputSerializer.Meta.fields, "items", "missing_note_item_ids"]


def _plan_detail(plan: HandoverPlan, *, viewer) -> dict:
    items = selectors.plan_items(plan=plan)
    data = dict(PlanOutputSerializer(plan).data)
    data["items"] = [dict(row) for row in ItemOutputSerializer(items, many=True).data]
    data["missing_note_item_ids"] = [i.pk for i in selectors.plan_missing_notes(items=items)]
    _hide_people_outside_scope(viewer=viewer, plans=[data], items=data["items"])
    return data


class PlanListApi(generics.ListAPIView):
    """Handover plans in the caller's scope, newest first; the filters of the plans page
    (``status``, ``rep``)."""

    required_perms = VIEW_PLAN
    serializer_class = PlanOutputSerializer
    queryset = HandoverPlan.objects.none()
    filterset_class = filters.PlanFilter
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return selectors.plans_visible(user=self.request.user).order_by("-created_at", "-id")

    def list(self, request: Request, *args, **kwargs) -> Response:
        response = super().list(request, *args, **kwargs)
        rows = [dict(row) for row in response.data["results"]]
        _hide_people_outside_scope(viewer=request.user, plans=rows, items=[])
        response.data["results"] = rows
        return response


class PlanCreateApi(APIView):
    required_perms = "handover.add_handoverplan"

    class InputSerializer(serializers.Serializer):
        rep_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)

    @extend_schema(
        request=InputSerializer,
        responses={201: PlanDetailOutputSerializer, 200: PlanDetailOutputSerializer},
        summary="Draft a handover plan for a rep (or return the rep's existing draft)",
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rep = rep_get_visible(user=request.user, rep_id=data.validated_data["rep_id"])
        plan, created = services.handover_plan_create(rep=rep, created_by=request.user)
        return Response(
            _plan_detail(plan, viewer=request.user),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class PlanDetailApi(APIView):
    required_perms = VIEW_PLAN

    @extend_schema(responses=PlanDetailOutputSerializer, summary="A plan with its ranked items")
    def get(self, request: Request, plan_id: int) -> Response:
        plan = selectors.plan_get_visible(user=request.user, plan_id=plan_id)
        return Response(_plan_detail(plan, viewer=request.user))


def _note_part() -> serializers.CharField:
    return serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=MAX_PART_CHARS
    )


class PlanItemUpdateApi(APIView):
    required_perms = ("handover.change_handoveritem", "retention.add_customerknowledge")

    class InputSerializer(serializers.Serializer):
        recipient_rep_id = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
        recipient_manager_id = serializers.IntegerField(
            required=False, min_value=1, max_value=MAX_ID
        )
        mode = serializers.ChoiceField(choices=HandoverItem.Mode.choices, required=False)
        cover_until = serializers.DateField(required=False)
        move_open_deals = serializers.BooleanField(required=False)
        move_open_activities = serializers.BooleanField(required=False)
        # The note is the customer's knowledge: a save adds a version of it, before and after
        # the plan is applied.
        needs = _note_part()
        contacts = _note_part()
        next_steps = _note_part()
        open_issues = _note_part()
        note_base_version = serializers.IntegerField(
            required=False,
            min_value=0,
            help_text=(
                "The version of the customer's note you started from (0: none yet); a newer "
                "one saved meanwhile refuses the save (400 naming base_version)."
            ),
        )

    @extend_schema(
        request=InputSerializer,
        responses=ItemOutputSerializer,
        summary=(
            "Change an item: recipient, mode and what moves (drafts only); the customer's "
            "note (a new version of its knowledge, also after the plan is applied)"
        ),
    )
    def post(self, request: Request, plan_id: int, item_id: int) -> Response:
        plan = selectors.plan_get_visible(user=request.user, plan_id=plan_id)
        item = selectors.item_get(plan=plan, item_id=item_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        chosen_rep = chosen_manager = None
        if "recipient_rep_id" in data:
            chosen_rep = get_visible_or_404(
                selectors.recipient_reps(user=request.user, plan=plan),
                pk=data["recipient_rep_id"],
            )
        if "recipient_manager_id" in data:
            chosen_manager = get_visible_or_404(
                selectors.managers_in_scope(user=request.user), pk=data["recipient_manager_id"]
            )
        parts = {part: data[part] for part in CustomerKnowledge.PARTS if part in data}
        note = (
            services.NoteEdit(parts=parts, base_version=data.get("note_base_version"))
            if parts
            else None
        )
        saved = services.handover_plan_item_update(
            item=item,
            user=request.user,
            chosen_rep=chosen_rep,
            chosen_manager=chosen_manager,
            mode=data.get("mode"),
            cover_until=data.get("cover_until"),
            move_open_deals=data.get("move_open_deals"),
            move_open_activities=data.get("move_open_activities"),
            note=note,
        )
        row = dict(ItemOutputSerializer(saved.item).data)
        _hide_people_outside_scope(viewer=request.user, plans=[], items=[row])
        return Response(row)


class PlanApplyApi(APIView):
    required_perms = CHANGE_PLAN

    class InputSerializer(serializers.Serializer):
        confirm_missing_notes = serializers.BooleanField(
            required=False,
            default=False,
            help_text=(
                "Key accounts without a complete note stop the apply (400 listing them in "
                "missing_notes) unless this is true: the approver confirms they are not needed."
            ),
        )

    @extend_schema(
        request=InputSerializer,
        responses=PlanOutputSerializer,
        summary="Apply a draft plan in one transaction (all or nothing)",
    )
    def post(self, request: Request, plan_id: int) -> Response:
        plan = selectors.plan_get_visible(user=request.user, plan_id=plan_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan = services.handover_plan_apply(
            plan=plan,
            approved_by=request.user,
            confirm_missing_notes=serializer.validated_data["confirm_missing_notes"],
        )
        return Response(PlanOutputSerializer(plan).data)


class PlanReverseApi(APIView):
    required_perms = CHANGE_PLAN

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=2000)

    @extend_schema(
        request=InputSerializer,
        responses=PlanOutputSerializer,
        summary="Reverse an applied plan; the reversal is recorded",
    )
    def post(self, request: Request, plan_id: int) -> Response:
        plan = selectors.plan_get_visible(user=request.user, plan_id=plan_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan = services.handover_plan_reverse(
            plan=plan, reversed_by=request.user, reason=serializer.validated_data["reason"]
        )
        return Response(PlanOutputSerializer(plan).data)


class RecipientChoiceSerializer(serializers.Serializer):
    """One person the ownership policy offers: a rep (``rep_id``) or a manager
    (``manager_id``), always in the caller's scope, with the reason."""

    kind = serializers.ChoiceField(choices=["backup", "team_rep", "manager"])
    rep_id = serializers.IntegerField(allow_null=True)
    manager_id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    reason = serializers.CharField()
    brief = serializers.CharField(help_text="The reason in a few words: risk and load after.")


class CoverageApi(APIView):
    required_perms = VIEW_COVERAGE

    class OutputSerializer(serializers.Serializer):
        class GapSerializer(serializers.Serializer):
            customer_id = serializers.IntegerField()
            customer_name = serializers.CharField()
            revenue = serializers.DecimalField(max_digits=16, decimal_places=2)
            kind = serializers.ChoiceField(choices=CoverageGap.Kind.choices)
            detail = serializers.CharField()
            choices = RecipientChoiceSerializer(
                many=True,
                help_text="Whom the caller may add as backup (or, nobody holding it, as cover), "
                "best first: /api/handover/assignments/backup/ or .../cover/.",
            )
            holder_rep_id = serializers.IntegerField(
                allow_null=True,
                help_text="The rep whose handover would move it (plans/create/), when in scope.",
            )

        as_of = serializers.DateField()
        counts = serializers.DictField(child=serializers.IntegerField())
        gaps = GapSerializer(many=True)

    @extend_schema(
        responses=OutputSerializer,
        summary="Coverage gaps today in the caller's scope, with counts per kind",
    )
    def get(self, request: Request) -> Response:
        today = timezone.localdate()
        gaps = coverage.coverage_gaps(user=request.user, today=today)
        counts = dict.fromkeys(CoverageGap.Kind.values, 0)
        for gap in gaps:
            counts[gap.kind] += 1
        return Response(
            self.OutputSerializer({"as_of": today, "counts": counts, "gaps": gaps}).data
        )


class SingleThreadedApi(generics.ListAPIView):
    """Key customers whose only relationship is one rep, highest revenue first, with the
    page's filters (``q``, ``team``, ``rep``, ``sort``) and the backups the ownership policy
    offers for each, best first (add one with ``/api/handover/assignments/backup/``)."""

    required_perms = VIEW_COVERAGE
    # Named for the schema; applied by hand below, since the suggestions span the whole list.
    filter_backends = [DjangoFilterBackend]
    filterset_class = SingleThreadedFilterSet
    queryset = Customer.objects.none()

    class OutputSerializer(serializers.Serializer):
        customer_id = serializers.IntegerField(source="id")
        customer_name = serializers.CharField(source="name")
        annual_revenue = serializers.DecimalField(max_digits=16, decimal_places=2)
        rep_id = serializers.IntegerField(source="sole_holder.rep_id")
        rep_name = serializers.CharField(source="sole_holder.rep.full_name")
        role = serializers.CharField(source="sole_holder.role")
        suggested_backup = RecipientChoiceSerializer(allow_null=True)
        backup_choices = RecipientChoiceSerializer(many=True)

    serializer_class = OutputSerializer

    @extend_schema(
        responses=OutputSerializer(many=True),  # a list view: the schema adds the envelope
        summary="Key customers whose only relationship is one rep, with the backups offered",
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        found = SingleThreadedFilterSet(
            request.query_params, queryset=coverage.single_threaded_queryset(user=request.user)
        )
        if not found.is_valid():
            raise ValidationError(found.errors)
        every = {c.pk: c for c in coverage.single_threaded_customers(user=request.user)}
        customers = [every[pk] for pk in found.qs.values_list("pk", flat=True) if pk in every]
        page = self.paginate_queryset(customers)
        return self.get_paginated_response(self.OutputSerializer(page, many=True).data)


class AssignmentOutputSerializer(serializers.ModelSerializer):
    """An assignment; a holder outside the caller's scope (a backup or cover from another
    team) appears without id or name."""

    rep = serializers.SerializerMethodField()
    holder_name = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = [
            "id",
            "customer",
            "rep",
            "manager",
            "holder_name",
            "role",
            "valid_from",
            "valid_to",
            "source",
            "created_by",
        ]

    def _viewer(self):
        return self.context["request"].user

    def _rep_shown(self, assignment: Assignment) -> bool:
        return people.rep_in_scope(viewer=self._viewer(), rep=assignment.rep)

    def get_rep(self, assignment: Assignment) -> int | None:
        return assignment.rep_id if self._rep_shown(assignment) else None

    def get_holder_name(self, assignment: Assignment) -> str:
        if assignment.rep_id:
            return people.rep_label(viewer=self._viewer(), rep=assignment.rep)
        labels = people.user_labels(viewer=self._viewer(), people=[assignment.manager])
        return labels.get(assignment.manager_id, "")


class AssignmentListApi(generics.ListAPIView):
    """Assignments (now and before) of customers in the caller's scope.

    Filter with ``?customer=<id>``, ``?rep=<id>``, ``?role=``, ``?source=``, ``?current=true``.
    """

    required_perms = "retention.view_assignment"
    serializer_class = AssignmentOutputSerializer
    queryset = Assignment.objects.none()
    filterset_class = filters.AssignmentFilter
    ordering_fields = ["valid_from"]

    def get_queryset(self):
        user = self.request.user
        assignments = Assignment.objects.select_related("rep", "manager").filter(
            customer__in=customers_visible(user=user)
        )
        return assignments.order_by("customer_id", "-valid_from", "-id")


class AssignmentInputSerializer(serializers.Serializer):
    customer_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    rep_id = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    manager_id = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)

    def validate(self, data: dict) -> dict:
        if ("rep_id" in data) == ("manager_id" in data):
            raise serializers.ValidationError({"rep_id": _("give rep_id or manager_id, not both")})
        return data


def _assign(request: Request, write) -> Response:
    """Fetch the customer and the person in scope (else 404), then ``write`` (which refuses,
    400, anyone the ownership policy does not offer for the customer)."""
    serializer = AssignmentInputSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    customer = customer_get_visible(user=request.user, customer_id=data["customer_id"])
    rep = manager = None
    if "rep_id" in data:
        rep = rep_get_visible(user=request.user, rep_id=data["rep_id"])
    else:
        manager = get_visible_or_404(
            selectors.managers_in_scope(user=request.user), pk=data["manager_id"]
        )
    assignment = write(customer=customer, user=request.user, rep=rep, manager=manager)
    output = AssignmentOutputSerializer(assignment, context={"request": request})
    return Response(output.data, status=201)


class AssignmentBackupAddApi(APIView):
    """Give a customer a backup rep (or, the policy's last resort, a manager cover): one of
    the people ``/api/handover/customers/<id>/recipients/`` offers."""

    required_perms = "retention.add_assignment"

    @extend_schema(
        request=AssignmentInputSerializer,
        responses={201: AssignmentOutputSerializer},
        summary="Add a backup to a customer (multi-threading), chosen from the policy's offer",
    )
    def post(self, request: Request) -> Response:
        return _assign(request, cover.customer_backup_add)


class AssignmentCoverApi(APIView):
    """Cover a key customer nobody holds: a rep as temporary cover or a manager's cover, one
    of the people ``/api/handover/customers/<id>/recipients/`` offers."""

    required_perms = "retention.add_assignment"

    @extend_schema(
        request=AssignmentInputSerializer,
        responses={201: AssignmentOutputSerializer},
        summary="Cover a customer nobody holds, chosen from the policy's offer",
    )
    def post(self, request: Request) -> Response:
        return _assign(request, cover.customer_cover_assign)


class CustomerRecipientsApi(APIView):
    """Whom the caller may add to a customer as backup or cover, best first: the ownership
    policy (low-risk team-mates of its holder's team and region with room, then the team's
    manager), in the caller's scope, nobody who holds it now."""

    required_perms = ("retention.view_customer", "retention.view_assignment")

    @extend_schema(
        responses=RecipientChoiceSerializer(many=True),
        summary="The people the policy offers to back up or cover a customer",
    )
    def get(self, request: Request, customer_id: int) -> Response:
        customer = customer_get_visible(user=request.user, customer_id=customer_id)
        choices = cover.customer_choices(customer=customer, user=request.user)
        return Response(RecipientChoiceSerializer(choices, many=True).data)
