"""Import API: upload (starts the dry run), list, read one job with its report, apply."""

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Team
from retention.imports import selectors, services
from retention.imports.errors import ImportRefused
from retention.imports.kinds import KINDS
from retention.imports.lookups import Options
from retention.imports.readers import codec_or_refuse
from retention.models import ImportJob


class ImportJobOutputSerializer(serializers.ModelSerializer):
    created_by = serializers.StringRelatedField()
    percent_done = serializers.IntegerField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "created_at",
            "created_by",
            "origin",
            "file_name",
            "file_size",
            "source",
            "status",
            "rows_total",
            "rows_done",
            "percent_done",
            "counts",
            "detected",
            "issues",
            "issues_total",
            "message",
            "checked_at",
            "applied_at",
        ]


def _nested(value: object, *, depth: int, what: str) -> dict:
    """A mapping keyed by kind of file, then field (then file value), with text leaves."""

    def check(node: object, level: int, path: str) -> None:
        if level == depth:
            if not isinstance(node, str):
                raise serializers.ValidationError(_("%(path)s must be text.") % {"path": path})
            return
        if not isinstance(node, dict):
            raise serializers.ValidationError(
                _("%(path)s must be an object.") % {"path": path or what}
            )
        for key, child in node.items():
            if level == 0 and key not in KINDS:
                raise serializers.ValidationError(
                    _("%(key)s is not a kind of file.") % {"key": key}
                )
            if level == 1 and key not in {f.key for f in KINDS[path].fields}:
                raise serializers.ValidationError(
                    _("%(path)s has no field %(key)s.") % {"path": path, "key": key}
                )
            check(child, level + 1, f"{path}.{key}" if path else key)

    check(value, 0, "")
    return value  # type: ignore[return-value]


class ImportJobListApi(APIView):
    """Imports the caller may see (admins: all; HR: their own), newest first."""

    required_perms = services.SEE_IMPORTS

    @extend_schema(responses=ImportJobOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        jobs = selectors.import_jobs_visible(user=request.user).order_by("-created_at")[:100]
        return Response(ImportJobOutputSerializer(jobs, many=True).data)


class ImportJobCreateApi(APIView):
    """Upload files; Relay stores them and checks them (a dry run) in the background."""

    required_perms = services.IMPORT

    parser_classes = [MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        files = serializers.ListField(child=serializers.FileField(), allow_empty=False)
        source = serializers.ChoiceField(
            choices=ImportJob.Source.choices, default=ImportJob.Source.AUTO
        )
        kind = serializers.CharField(required=False, allow_blank=True, default="")
        score_column = serializers.CharField(required=False, allow_blank=True, default="")
        score_scale = serializers.DecimalField(
            max_digits=6, decimal_places=2, min_value=1, required=False, default=5
        )
        default_team = serializers.PrimaryKeyRelatedField(
            queryset=Team.objects.all(), required=False, allow_null=True, default=None
        )
        org_from_crm = serializers.BooleanField(
            default=False, help_text=gettext_lazy("build teams and managers from the CRM's roles")
        )
        encoding = serializers.CharField(
            required=False,
            allow_blank=True,
            default="",
            help_text=gettext_lazy("e.g. windows-1252"),
        )
        mapping = serializers.CharField(
            required=False,
            allow_blank=True,
            default="",
            help_text=gettext_lazy("a saved mapping's name"),
        )
        mappings = serializers.JSONField(
            required=False, default=dict, help_text='{"kind": {"field": "column"}}'
        )
        values = serializers.JSONField(
            required=False, default=dict, help_text='{"kind": {"field": {"value": "means"}}}'
        )

        def validate_encoding(self, value: str) -> str:
            if not value.strip():
                return ""
            try:
                return codec_or_refuse(value)
            except ImportRefused as refusal:
                raise serializers.ValidationError(str(refusal)) from None

        def validate_mappings(self, value: object) -> dict:
            return _nested(value, depth=2, what="mappings")

        def validate_values(self, value: object) -> dict:
            return _nested(value, depth=3, what="values")

    @extend_schema(request=InputSerializer, responses={201: ImportJobOutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        job = services.import_job_create(
            user=request.user,
            uploads=data["files"],
            source=data["source"],
            kind=data["kind"],
            options=Options(
                score_column=data["score_column"].strip(),
                score_scale=str(data["score_scale"]),
                default_team_id=data["default_team"].pk if data["default_team"] else None,
                org_from_crm=data["org_from_crm"],
                encodings={"*": data["encoding"]} if data["encoding"] else {},
                mapping_name=data["mapping"].strip(),
                mappings=data["mappings"],
                values=data["values"],
            ),
        )
        return Response(ImportJobOutputSerializer(job).data, status=status.HTTP_201_CREATED)


class ImportJobDetailApi(APIView):
    """One import: status, rows done of total, counts and the first rejected/flagged rows."""

    required_perms = services.SEE_IMPORTS

    @extend_schema(responses=ImportJobOutputSerializer)
    def get(self, request: Request, job_id: int) -> Response:
        job = selectors.import_job_get_visible(user=request.user, job_id=job_id)
        return Response(ImportJobOutputSerializer(job).data)


class ImportJobApplyApi(APIView):
    """Apply a checked import. 409 when it is not waiting to be applied."""

    required_perms = services.IMPORT

    class InputSerializer(serializers.Serializer):
        skip_rejected = serializers.BooleanField(default=False)

    @extend_schema(request=InputSerializer, responses={202: ImportJobOutputSerializer})
    def post(self, request: Request, job_id: int) -> Response:
        job = selectors.import_job_get_visible(user=request.user, job_id=job_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not services.import_job_apply(
            job=job, user=request.user, skip_rejected=serializer.validated_data["skip_rejected"]
        ):
            return Response(
                {"detail": services.import_job_not_waiting(job=job), "status": job.status},
                status=status.HTTP_409_CONFLICT,
            )
        job.refresh_from_db()
        return Response(ImportJobOutputSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ImportJobPeopleApi(APIView):
    """Check the files again with the admin's choices of who is a rep, a manager or skipped
    (``{"choices": {"<CRM user id>": "rep" | "manager" | "skip"}}``). The users and what each
    becomes are in the job's ``counts.people``; the new job's are too once it is checked."""

    required_perms = services.IMPORT_CRM

    class InputSerializer(serializers.Serializer):
        choices = serializers.DictField(child=serializers.CharField(), allow_empty=False)

    @extend_schema(request=InputSerializer, responses={201: ImportJobOutputSerializer})
    def post(self, request: Request, job_id: int) -> Response:
        job = selectors.import_job_get_visible(user=request.user, job_id=job_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        new_job = services.import_job_recheck_people(
            job=job, user=request.user, choices=serializer.validated_data["choices"]
        )
        return Response(ImportJobOutputSerializer(new_job).data, status=status.HTTP_201_CREATED)


class ImportJobReportApi(APIView):
    """Every rejected and flagged row as CSV (cells starting with = + - @ are escaped)."""

    required_perms = services.SEE_IMPORTS

    @extend_schema(responses={(200, "text/csv"): bytes})
    def get(self, request: Request, job_id: int) -> FileResponse:
        job = selectors.import_job_get_visible(user=request.user, job_id=job_id)
        path = services.report_path(job)
        if not path.exists():
            raise Http404
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=f"import-{job.pk}-report.csv",
            content_type="text/csv; charset=utf-8",
        )
