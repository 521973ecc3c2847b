from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils.translation import gettext as _

from config.errors import ApplicationError
from retention.management.arguments import iso_date
from retention.management.progress import ProgressBar
from retention.models import ScoringRun
from retention.risk import services


class Command(BaseCommand):
    help = (
        "Score every rep as of a date (today, or the last day the data cover if they end "
        "earlier) and publish the run when it is done."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--as-of", type=iso_date, default=None, help="YYYY-MM-DD (today)")
        parser.add_argument(
            "--queue",
            action="store_true",
            help="hand the run to the Celery workers instead of scoring in this process",
        )

    def handle(self, *args, **options) -> None:
        if options["as_of"] is None:
            options["as_of"], warning = services.risk_data_as_of()
            if warning:
                self.stderr.write(self.style.WARNING(warning))
        if options["queue"]:
            try:
                run = services.scoring_run_request(as_of=options["as_of"])
            except ApplicationError as exc:
                raise CommandError(exc.message) from exc
            self.stdout.write(
                _("Run %(id)s as of %(date)s (%(status)s).")
                % {"id": run.pk, "date": run.as_of, "status": run.get_status_display()}
            )
            return
        bar = ProgressBar(self.stdout, _("scoring"), enabled=options["verbosity"] > 0)
        try:
            run = services.risk_scores_refresh(as_of=options["as_of"], progress=bar)
        except ApplicationError as exc:  # a run in flight for that date, or a date ahead
            raise CommandError(exc.message) from exc
        if run.status != ScoringRun.Status.SUCCEEDED:
            raise CommandError(
                _("Run %(id)s %(status)s: %(error)s")
                % {"id": run.pk, "status": run.get_status_display(), "error": run.error}
            )
        seconds = (run.finished_at - run.started_at).total_seconds()
        bands = dict(run.scores.values("band").annotate(n=Count("id")).values_list("band", "n"))
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Run %(id)s as of %(date)s: %(done)s reps scored with %(version)s (%(kind)s) "
                    "in %(seconds)ss; bands %(bands)s"
                )
                % {
                    "id": run.pk,
                    "date": run.as_of,
                    "done": run.done,
                    "version": run.model.version,
                    "kind": run.model.get_kind_display(),
                    "seconds": f"{seconds:.1f}",
                    "bands": bands,
                }
            )
        )
