"""API of what is known about a customer: the current note, a new version, the history.

Same rules as the pages: rights are each view's ``required_perms`` (403 without them), a
customer outside the caller's scope is a 404, an author the caller may not see is shown
without id or name, a refused save (a newer version saved meanwhile) is a 400 naming
``base_version``.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.pagination import RelayPagination, paginated
from retention.knowledge import selectors
from retention.knowledge.services import MAX_PART_CHARS, customer_knowledge_update
from retention.knowledge.views import EDIT, VIEW
from retention.models import CustomerKnowledge
from retention.selectors import customer_get_visible


class VersionOutputSerializer(serializers.Serializer):
    version = serializers.IntegerField(source="row.version")
    needs = serializers.CharField(source="row.needs")
    contacts = serializers.CharField(source="row.contacts")
    next_steps = serializers.CharField(source="row.next_steps")
    open_issues = serializers.CharField(source="row.open_issues")
    is_complete = serializers.BooleanField(source="row.is_complete")
    author = serializers.IntegerField(source="author_id", allow_null=True)
    author_name = serializers.CharField(source="author_label")
    written_at = serializers.DateTimeField(source="row.created_at")
    source = serializers.ChoiceField(source="row.source", choices=CustomerKnowledge.Source.choices)
    context = serializers.CharField(
        source="row.context_text", help_text="In the caller's language."
    )
    changed = serializers.ListField(
        child=serializers.ChoiceField(choices=CustomerKnowledge.PARTS),
        help_text="The parts this version changed from the one before.",
    )


class KnowledgeOutputSerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    customer_name = serializers.CharField()
    is_key_account = serializers.BooleanField()
    current = VersionOutputSerializer(
        allow_null=True, help_text="The latest version; null while nothing is recorded."
    )


def _knowledge_body(*, customer, viewer) -> dict:
    current = selectors.knowledge_current(customer=customer)
    version = None
    if current is not None:
        previous = selectors.version_before(row=current)
        version = selectors.versions_for_viewer(viewer=viewer, rows=[current], previous=previous)
    return KnowledgeOutputSerializer(
        {
            "customer": customer.pk,
            "customer_name": customer.name,
            "is_key_account": customer.is_key_account,
            "current": version[0] if version else None,
        }
    ).data


class KnowledgeDetailApi(APIView):
    required_perms = VIEW

    @extend_schema(
        responses=KnowledgeOutputSerializer,
        summary="What is known about a customer: the current version of its note",
    )
    def get(self, request: Request, customer_id: int) -> Response:
        customer = customer_get_visible(user=request.user, customer_id=customer_id)
        return Response(_knowledge_body(customer=customer, viewer=request.user))


def _part_input() -> serializers.CharField:
    return serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=MAX_PART_CHARS
    )


class KnowledgeUpdateApi(APIView):
    required_perms = EDIT

    class InputSerializer(serializers.Serializer):
        needs = _part_input()
        contacts = _part_input()
        next_steps = _part_input()
        open_issues = _part_input()
        base_version = serializers.IntegerField(
            required=False,
            min_value=0,
            help_text=(
                "The version you started from (0: none yet). If someone saved a newer one, "
                "nothing is written and the answer is a 400 naming base_version."
            ),
        )

    class OutputSerializer(KnowledgeOutputSerializer):
        written = serializers.BooleanField(
            help_text="False when the text was the same as the current version's."
        )

    @extend_schema(
        request=InputSerializer,
        responses=OutputSerializer,
        summary="Add a version of a customer's note; parts not given stay as they are",
    )
    def post(self, request: Request, customer_id: int) -> Response:
        customer = customer_get_visible(user=request.user, customer_id=customer_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        base_version = data.pop("base_version", None)
        _row, written = customer_knowledge_update(
            customer=customer,
            author=request.user,
            parts=data,
            source=CustomerKnowledge.Source.API,
            base_version=base_version,
        )
        body = dict(_knowledge_body(customer=customer, viewer=request.user))
        return Response({**body, "written": written})


class KnowledgeHistoryApi(APIView):
    required_perms = VIEW

    @extend_schema(
        responses=paginated(VersionOutputSerializer),
        summary="Every version of a customer's note, newest first, with author and time",
    )
    def get(self, request: Request, customer_id: int) -> Response:
        customer = customer_get_visible(user=request.user, customer_id=customer_id)
        paginator = RelayPagination()
        rows = paginator.paginate_queryset(
            selectors.knowledge_history(customer=customer), request, view=self
        )
        previous = selectors.version_before(row=rows[-1]) if rows else None
        versions = selectors.versions_for_viewer(
            viewer=request.user, rows=list(rows), previous=previous
        )
        return paginator.get_paginated_response(VersionOutputSerializer(versions, many=True).data)
