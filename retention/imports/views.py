"""The import pages: upload and check, the job's report with live progress, apply, templates."""

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.access import may, page
from config.background import broker_available
from config.errors import ApplicationError
from retention.imports import selectors, services
from retention.imports.errors import ImportRefused
from retention.imports.kinds import KINDS
from retention.imports.lookups import Options
from retention.imports.readers import codec_or_refuse
from retention.models import ImportJob


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files if item]


class ImportForm(forms.Form):
    files = MultipleFileField(
        label=_("Files"),
        help_text=_(
            "CSV, XLSX, or a .zip of a whole Salesforce export. Several files are applied together."
        ),
    )
    source = forms.ChoiceField(label=_("Source"), choices=ImportJob.Source.choices)
    kind = forms.ChoiceField(label=_("Kind of file"), required=False)
    score_column = forms.CharField(
        label=_("Case score column"),
        required=False,
        max_length=80,
        help_text=_("Salesforce Case.csv: the column with the service score, e.g. CSAT__c."),
    )
    score_scale = forms.DecimalField(
        label=_("Best possible score"), required=False, initial=5, min_value=1, max_value=1000
    )
    default_team = forms.ModelChoiceField(
        label=_("Team for new Salesforce users"),
        queryset=selectors.import_teams(),
        required=False,
        help_text=_("Used when a user's Department is not the name of a Relay team."),
    )
    org_from_crm = forms.BooleanField(
        label=_("Build the org from the CRM"),
        required=False,
        help_text=_(
            "Teams, regions and managers from the roles in UserRole.csv (else ManagerId, else "
            "Division), even though Relay already has teams. An empty Relay always does this."
        ),
    )

    encoding = forms.CharField(
        label=_("Text encoding"),
        required=False,
        max_length=40,
        help_text=_(
            "Leave empty to detect it. Otherwise e.g. utf-8, windows-1252, iso-8859-1, gb18030."
        ),
    )

    def clean_encoding(self) -> str:
        value = self.cleaned_data["encoding"].strip()
        if not value:
            return ""
        try:
            return codec_or_refuse(value)
        except ImportRefused as refusal:
            raise forms.ValidationError(str(refusal)) from None

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Recognise from the headers"))] + [
            (kind.key, kind.label) for kind in selectors.import_kinds_for(user=user)
        ]
        self.fields["files"].widget.attrs["accept"] = ".csv,.txt,.tsv,.xlsx,.zip"
        self.crm = may(user, services.IMPORT_CRM)
        if not self.crm:
            # HR imports people and leave only: no CRM exports, so none of their options.
            for name in ("score_column", "score_scale", "default_team", "org_from_crm"):
                del self.fields[name]
            self.fields["source"].choices = [
                (value, label)
                for value, label in ImportJob.Source.choices
                if value in (ImportJob.Source.AUTO, ImportJob.Source.RELAY)
            ]
            self.fields["files"].help_text = _(
                "CSV or XLSX, laid out as the templates below. Several files are applied together."
            )

    def options(self) -> Options:
        data = self.cleaned_data
        team = data.get("default_team")
        return Options(
            score_column=(data.get("score_column") or "").strip(),
            score_scale=str(data.get("score_scale") or 5),
            default_team_id=team.pk if team else None,
            org_from_crm=bool(data.get("org_from_crm")),
            encodings={"*": data["encoding"]} if data["encoding"] else {},
        )


@page(services.IMPORT)
def import_page(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        job = services.import_job_create(
            user=request.user,
            uploads=form.cleaned_data["files"],
            source=form.cleaned_data["source"],
            options=form.options(),
            kind=form.cleaned_data["kind"],
        )
        return redirect("retention:imports:job", job_id=job.pk)
    context = {
        "form": form,
        "crm": form.crm,
        "templates": selectors.import_templates_for(user=request.user),
        "jobs": selectors.import_jobs_visible(user=request.user).order_by("-created_at")[:20],
    }
    return render(request, "retention/imports/import_page.html", context)


def _in_readers_language(entry: dict) -> dict:
    """A file's entry as the check stored it, its kind named in the reader's language (the
    stored label is in the language of the check)."""
    kind = KINDS.get(entry.get("kind", ""))
    return {**entry, "label": kind.label} if kind is not None else entry


def _job_context(request: HttpRequest, job: ImportJob) -> dict:
    files = []
    kinds = {kind.key: kind for kind in selectors.import_kinds_for(user=request.user)}
    for entry in job.detected:
        kind = kinds.get(entry["kind"])
        if kind is not None:
            mapping, values = entry.get("mapping", {}), entry.get("values") or {}
            rows = [
                {
                    "field": field,
                    "column": mapping.get(field.key, ""),
                    "values": "\n".join(
                        f"{source} = {means}" for source, means in values.get(field.key, {}).items()
                    ),
                }
                for field in kind.fields
            ]
            files.append({**entry, "label": kind.label, "fields": kind.fields, "rows": rows})
    return {
        "job": job,
        "files": files,
        "count_files": [_in_readers_language(entry) for entry in job.counts.get("files", [])],
        "counts": job.counts.get("total", {}),
        "can_remap": not job.is_running and bool(files),
        "can_retry": job.status in (ImportJob.Status.STALLED, ImportJob.Status.FAILED)
        and bool(job.files)
        and may(request.user, services.IMPORT),
        # Waiting with the queue down: the job starts when it is back (the outbox sends it).
        "queue_paused": job.status in services.WAITING and not broker_available(),
        "can_choose_people": not job.is_running
        and job.status != ImportJob.Status.APPLIED
        and may(request.user, services.IMPORT_CRM),
    }


@page(services.SEE_IMPORTS)
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    job = selectors.import_job_get_visible(user=request.user, job_id=job_id)
    return render(request, "retention/imports/job.html", _job_context(request, job))


@page(services.SEE_IMPORTS)
def import_job_status(request: HttpRequest, job_id: int) -> HttpResponse:
    """The polled part of the job page: progress while running, the report when done."""
    job = selectors.import_job_get_visible(user=request.user, job_id=job_id)
    return render(request, "retention/imports/_job_status.html", _job_context(request, job))


@page(services.IMPORT)
@require_POST
def import_job_apply(request: HttpRequest, job_id: int) -> HttpResponse:
    job = selectors.import_job_get_visible(user=request.user, job_id=job_id)
    if not services.import_job_apply(
        job=job, user=request.user, skip_rejected=request.POST.get("skip_rejected") == "1"
    ):
        messages.warning(request, services.import_job_not_waiting(job=job))
    return redirect("retention:imports:job", job_id=job.pk)


@page(services.IMPORT)
@require_POST
def import_job_retry(request: HttpRequest, job_id: int) -> HttpResponse:
    """A new check of a stalled or failed import's files."""
    job = selectors.import_job_get_visible(user=request.user, job_id=job_id)
    try:
        new_job = services.import_job_retry(job=job, user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("retention:imports:job", job_id=job.pk)
    return redirect("retention:imports:job", job_id=new_job.pk)


@page(services.IMPORT)
@require_POST
def import_job_remap(request: HttpRequest, job_id: int) -> HttpResponse:
    """Check the same files again with the columns the admin chose (and maybe keep them)."""
    job = selectors.import_job_get_visible(user=request.user, job_id=job_id)
    mappings: dict[str, dict[str, str]] = {}
    for entry in job.detected:
        header = set(entry["header"])
        for key, value in request.POST.items():
            prefix = f"map:{entry['kind']}:"
            if key.startswith(prefix) and (value in header or value == ""):
                mappings.setdefault(entry["kind"], {})[key.removeprefix(prefix)] = value
    values, encodings, problems = _values_and_encodings(request, job)
    if problems:
        for problem in problems:
            messages.error(request, problem)
        return redirect("retention:imports:job", job_id=job.pk)
    new_job = services.import_job_recheck(
        job=job,
        user=request.user,
        mappings=mappings,
        save=request.POST.get("save") == "1",
        values=values,
        encodings=encodings,
    )
    return redirect("retention:imports:job", job_id=new_job.pk)


def _values_and_encodings(
    request: HttpRequest, job: ImportJob
) -> tuple[dict[str, dict[str, dict[str, str]]], dict[str, str], list[str]]:
    """The value mappings (``values:<kind>:<field>``, one "file value = Relay value" a line)
    and the encodings chosen per file (``encoding:<file name>``) on the check page."""
    values: dict[str, dict[str, dict[str, str]]] = {}
    encodings = dict(job.options.get("encodings") or {})
    problems: list[str] = []
    for entry in job.detected:
        kind = entry["kind"]
        for key, text in request.POST.items():
            if not key.startswith(f"values:{kind}:"):
                continue
            field = key.removeprefix(f"values:{kind}:")
            for number, line in enumerate(text.splitlines(), start=1):
                if not line.strip():
                    continue
                source, equals, means = line.partition("=")
                if not equals or not source.strip():
                    problems.append(
                        _("%(file)s, %(field)s, line %(n)s: write 'file value = Relay value'.")
                        % {"file": entry["name"], "field": field, "n": number}
                    )
                    continue
                values.setdefault(kind, {}).setdefault(field, {})[source.strip()] = means.strip()
        chosen = request.POST.get(f"encoding:{entry['name']}", "").strip()
        if chosen:
            try:
                encodings[entry["name"]] = codec_or_refuse(chosen)
            except ImportRefused as refusal:
                problems.append(str(refusal))
        elif f"encoding:{entry['name']}" in request.POST:
            encodings.pop(entry["name"], None)
    return values, encodings, problems


@page(services.IMPORT_CRM)
@require_POST
def import_job_people(request: HttpRequest, job_id: int) -> HttpResponse:
    """Check the same files again with the admin's choice of who is a rep, a manager or neither."""
    job = selectors.import_job_get_visible(user=request.user, job_id=job_id)
    current = {row["id"]: row["becomes"] for row in job.counts.get("people", {}).get("users", [])}
    choices = {
        crm_id: request.POST[f"becomes:{crm_id}"]
        for crm_id, becomes in current.items()
        if request.POST.get(f"becomes:{crm_id}", becomes) != becomes
    }
    try:
        new_job = services.import_job_recheck_people(job=job, user=request.user, choices=choices)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("retention:imports:job", job_id=job.pk)
    return redirect("retention:imports:job", job_id=new_job.pk)


@page(services.SEE_IMPORTS)
def import_job_report(request: HttpRequest, job_id: int) -> FileResponse:
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


@page(services.IMPORT)
def import_template(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    kind = selectors.import_template_get(user=request.user, key=key)
    if fmt == "csv":
        body, content_type = selectors.import_template_csv(kind=kind), "text/csv; charset=utf-8"
    else:
        body = selectors.import_template_xlsx(kind=kind)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="relay-{key}.{fmt}"'
    return response
