"""manage.py import_data PATH… [--source …] [--dry-run]: the import page, from the shell."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from accounts.models import Team, User
from retention.imports.errors import ImportRefused
from retention.imports.kinds import KINDS
from retention.imports.lookups import Options
from retention.imports.people import people_choices_read
from retention.imports.readers import codec_or_refuse
from retention.imports.services import (
    import_job_create_from_paths,
    import_job_run,
    saved_mappings_store,
)
from retention.management.progress import ProgressBar
from retention.models import ImportJob


def _kind_field(text: str, option: str) -> tuple[str, str]:
    kind_key, _dot, field = text.strip().rpartition(".")
    kind = KINDS.get(kind_key)
    if kind is None:
        raise CommandError(
            _("%(option)s %(text)s: no kind of file %(kind)s; kinds: %(kinds)s")
            % {
                "option": option,
                "text": repr(text),
                "kind": repr(kind_key),
                "kinds": ", ".join(sorted(KINDS)),
            }
        )
    if field not in {f.key for f in kind.fields}:
        fields = ", ".join(f.key for f in kind.fields)
        raise CommandError(
            _("%(option)s %(text)s: %(kind)s has no field %(field)s; fields: %(fields)s")
            % {
                "option": option,
                "text": repr(text),
                "kind": kind_key,
                "field": repr(field),
                "fields": fields,
            }
        )
    return kind_key, field


def _mappings(
    maps: list[str], values: list[str]
) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, dict[str, str]]]]:
    """--map KIND.FIELD=COLUMN and --value KIND.FIELD:VALUE=MEANS as the import's options."""
    columns: dict[str, dict[str, str]] = {}
    for item in maps:
        target, equals, column = item.partition("=")
        if not equals:
            raise CommandError(_("--map %(item)s: write KIND.FIELD=COLUMN") % {"item": repr(item)})
        kind_key, field = _kind_field(target, "--map")
        columns.setdefault(kind_key, {})[field] = column.strip()
    meanings: dict[str, dict[str, dict[str, str]]] = {}
    for item in values:
        target, colon, pair = item.partition(":")
        value, equals, means = pair.partition("=")
        if not colon or not equals:
            raise CommandError(
                _("--value %(item)s: write KIND.FIELD:VALUE=MEANS") % {"item": repr(item)}
            )
        kind_key, field = _kind_field(target, "--value")
        meanings.setdefault(kind_key, {}).setdefault(field, {})[value.strip()] = means.strip()
    return columns, meanings


def _encodings(items: list[str]) -> dict[str, str]:
    """--encoding CODEC (every file) or --encoding FILE=CODEC, each checked now."""
    chosen: dict[str, str] = {}
    for item in items:
        name, equals, codec = item.rpartition("=")
        key = name.strip() if equals else "*"
        try:
            chosen[key] = codec_or_refuse(codec)
        except ImportRefused as refusal:
            raise CommandError(f"--encoding {item!r}: {refusal}") from None
    return chosen


class Command(BaseCommand):
    help = (
        "Import Salesforce or HubSpot exports, or Relay templates (CSV, XLSX or .zip). All the "
        "files are applied together in one transaction, or not at all."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument(
            "--source", choices=ImportJob.Source.values, default=ImportJob.Source.AUTO
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and count, change nothing"
        )
        parser.add_argument(
            "--score-column", default="", help="the Case.csv column with the service score"
        )
        parser.add_argument("--score-scale", default="5", help="best possible score (default 5)")
        parser.add_argument(
            "--team", default="", help="team (name or 'Region / Team') for new Salesforce users"
        )
        parser.add_argument(
            "--skip-rejected",
            action="store_true",
            help="apply the valid rows even when some rows are rejected",
        )
        parser.add_argument(
            "--encoding",
            action="append",
            default=[],
            metavar="[FILE=]CODEC",
            help="read the files (or one file) in this encoding, e.g. windows-1252",
        )
        parser.add_argument(
            "--mapping", default="", metavar="NAME", help="use the saved mapping of this name"
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="KIND.FIELD=COLUMN",
            help="read FIELD from COLUMN, e.g. salesforce.event.subject=Betreff",
        )
        parser.add_argument(
            "--value",
            action="append",
            default=[],
            metavar="KIND.FIELD:VALUE=MEANS",
            help="read VALUE as MEANS, e.g. 'salesforce.event.type:Interne Besprechung=Other'",
        )
        parser.add_argument(
            "--save-mapping",
            default="",
            metavar="NAME",
            help="keep the --map and --value choices under this name for later imports",
        )
        parser.add_argument("--user", default="", help="username recorded as the importer")
        parser.add_argument(
            "--people",
            type=Path,
            default=None,
            help=(
                "CSV of decisions about Salesforce users, columns Id and becomes (rep, manager "
                "or skip); kept for later exports once applied"
            ),
        )
        parser.add_argument(
            "--org-from-crm",
            action="store_true",
            help="build teams and managers from the CRM even though Relay has teams",
        )

    def handle(self, *args, **options) -> None:
        for path in options["paths"]:
            if not path.is_file():
                raise CommandError(_("%(path)s: no such file") % {"path": path})
        team_id = None
        if options["team"]:
            parts = [part.strip() for part in options["team"].split("/")]
            teams = Team.objects.filter(name=parts[-1])
            if len(parts) > 1:
                teams = teams.filter(parent__name=parts[0])
            if teams.count() != 1:
                raise CommandError(
                    _("--team %(team)s: no single team has that name")
                    % {"team": repr(options["team"])}
                )
            team_id = teams.get().pk
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(
                    _("--user %(user)s: no such user") % {"user": repr(options["user"])}
                )
        people: dict[str, str] = {}
        if options["people"]:
            try:
                people = people_choices_read(options["people"])
            except (OSError, ValueError) as exc:
                raise CommandError(f"--people: {exc}") from exc
        mappings, values = _mappings(options["map"], options["value"])
        if options["save_mapping"]:
            saved_mappings_store(
                name=options["save_mapping"], mappings=mappings, values=values, user=user
            )
        job = import_job_create_from_paths(
            paths=options["paths"],
            source=options["source"],
            options=Options(
                score_column=options["score_column"],
                score_scale=options["score_scale"],
                default_team_id=team_id,
                skip_rejected=options["skip_rejected"],
                encodings=_encodings(options["encoding"]),
                mapping_name=options["mapping"] or options["save_mapping"],
                mappings=mappings,
                values=values,
                people=people,
                org_from_crm=options["org_from_crm"],
            ),
            apply=not options["dry_run"],
            user=user,
        )
        bar = ProgressBar(self.stdout, _("rows"), enabled=options["verbosity"] > 0)
        job = import_job_run(job_id=job.pk, progress=bar)
        self._report(job)
        if job.status in (ImportJob.Status.REFUSED, ImportJob.Status.FAILED):
            reason = job.message.splitlines()[0] if job.message else ""
            raise CommandError(
                _("import %(id)s %(status)s: %(reason)s")
                # Refused or failed: the lower-case label reads as the status value in English.
                % {"id": job.pk, "status": job.get_status_display().lower(), "reason": reason}
            )
        rejected = job.counts.get("total", {}).get("rejected", 0)
        if rejected and not options["skip_rejected"]:
            # A dry run with rejected rows is not "ready": applying it would import nothing.
            raise CommandError(
                _(
                    "import %(id)s: %(rejected)s rows rejected: nothing will be applied "
                    "(fix them, or use --skip-rejected)"
                )
                % {"id": job.pk, "rejected": rejected}
            )

    def _report(self, job: ImportJob) -> None:
        self.stdout.write(
            _("Import %(id)s: %(status)s") % {"id": job.pk, "status": job.get_status_display()}
        )
        for entry in job.detected:
            encoding = entry.get("encoding")
            if not encoding:
                continue
            # How it was chosen, one whole note each: the file's BOM, detection or the admin.
            read_as = {
                "bom": _("read as %(encoding)s (bom)"),
                "detected": _("read as %(encoding)s (detected)"),
                "chosen": _("read as %(encoding)s (chosen)"),
            }.get(encoding["how"]) or _("read as %(encoding)s (%(how)s)")
            notes = [read_as % {"encoding": encoding["label"], "how": encoding["how"]}]
            if encoding["lossy"]:
                notes.append(_("some bytes replaced, rows flagged"))
            if encoding["nul_bytes"]:
                notes.append(_("%(n)s NUL bytes removed") % {"n": encoding["nul_bytes"]})
            sample = " · ".join(entry.get("sample") or [])
            values = {"file": entry["name"], "notes": ", ".join(notes), "names": sample}
            if sample:
                line = _("%(file)s: %(notes)s; names: %(names)s") % values
            else:
                line = _("%(file)s: %(notes)s") % values
            self.stdout.write("  " + line)
        people = job.counts.get("people")
        if people:
            counts = people["counts"]
            teams = _("as in Relay")
            if people["from_crm"]:
                teams = _("from the CRM (%(source)s)") % {"source": people["built_from"]}
            self.stdout.write(
                "  "
                + _(
                    "Salesforce users: %(reps)s reps, %(managers)s managers, %(skipped)s "
                    "skipped; teams %(teams)s"
                )
                % {
                    "reps": counts["rep"],
                    "managers": counts["manager"],
                    "skipped": counts["skip"],
                    "teams": teams,
                }
            )
            for node in people["tree"]:
                managers = ", ".join(node["managers"]) or "-"
                self.stdout.write(
                    "    "
                    + "  " * node["depth"]
                    + _("%(team)s: %(reps)s reps, managed by %(managers)s")
                    % {"team": node["name"], "reps": node["reps"], "managers": managers}
                )
        for entry in job.counts.get("files", []):
            self.stdout.write(
                "  "
                + _(
                    "%(name)s (%(kind)s): %(rows)s rows, %(created)s created, %(updated)s "
                    "updated, %(unchanged)s unchanged, %(rejected)s rejected, %(flagged)s flagged"
                )
                % {
                    "name": entry["name"],
                    "kind": entry["label"],
                    "rows": entry["rows"],
                    "created": entry["created"],
                    "updated": entry["updated"],
                    "unchanged": entry["unchanged"],
                    "rejected": entry["rejected"],
                    "flagged": entry["flagged"],
                }
            )
        for issue in job.issues[:20]:
            self.stdout.write(
                "  "
                + _("%(file)s row %(row)s, %(column)s=%(value)s: %(outcome)s, %(reason)s")
                % {
                    "file": issue["file"],
                    "row": issue["row"],
                    "column": issue["column"],
                    "value": repr(issue["value"]),
                    # As the report page says it: the stored outcome is rejected or flagged.
                    "outcome": _("rejected") if issue["outcome"] == "rejected" else _("flagged"),
                    "reason": issue["reason"],
                }
            )
        if job.issues_total > 20:
            self.stdout.write("  " + _("… %(n)s more in the report") % {"n": job.issues_total - 20})
        if job.message:
            self.stdout.write(job.message)
