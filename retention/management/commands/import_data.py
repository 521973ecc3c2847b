"""manage.py import_data PATH… [--source …] [--dry-run]: the import page, from the shell."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Team, User
from retention.imports.lookups import Options
from retention.imports.services import import_job_create_from_paths, import_job_run
from retention.management.progress import ProgressBar
from retention.models import ImportJob


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
        parser.add_argument("--user", default="", help="username recorded as the importer")

    def handle(self, *args, **options) -> None:
        for path in options["paths"]:
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
        team_id = None
        if options["team"]:
            parts = [part.strip() for part in options["team"].split("/")]
            teams = Team.objects.filter(name=parts[-1])
            if len(parts) > 1:
                teams = teams.filter(parent__name=parts[0])
            if teams.count() != 1:
                raise CommandError(f"--team {options['team']!r}: no single team has that name")
            team_id = teams.get().pk
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"--user {options['user']!r}: no such user")
        job = import_job_create_from_paths(
            paths=options["paths"],
            source=options["source"],
            options=Options(
                score_column=options["score_column"],
                score_scale=options["score_scale"],
                default_team_id=team_id,
                skip_rejected=options["skip_rejected"],
            ),
            apply=not options["dry_run"],
            user=user,
        )
        bar = ProgressBar(self.stdout, "rows", enabled=options["verbosity"] > 0)
        job = import_job_run(job_id=job.pk, progress=bar)
        self._report(job)
        if job.status == ImportJob.Status.REFUSED:
            raise CommandError(f"import {job.pk} refused")

    def _report(self, job: ImportJob) -> None:
        self.stdout.write(f"Import {job.pk}: {job.get_status_display()}")
        for entry in job.counts.get("files", []):
            self.stdout.write(
                f"  {entry['name']} ({entry['label']}): {entry['rows']} rows, "
                f"{entry['created']} created, {entry['updated']} updated, "
                f"{entry['unchanged']} unchanged, {entry['rejected']} rejected, "
                f"{entry['flagged']} flagged"
            )
        for issue in job.issues[:20]:
            self.stdout.write(
                f"  {issue['file']} row {issue['row']}, {issue['column']}={issue['value']!r}: "
                f"{issue['outcome']}, {issue['reason']}"
            )
        if job.issues_total > 20:
            self.stdout.write(f"  … {job.issues_total - 20} more in the report")
        if job.message:
            self.stdout.write(job.message)
