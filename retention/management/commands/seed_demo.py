"""``manage.py seed_demo``: build the demo organisation (see ``retention.demo``)."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from retention.demo import DemoSeedError, DemoSize, demo_seed
from retention.demo.generate import LOCALES
from retention.demo.interventions import demo_interventions_record
from retention.management.arguments import iso_date
from retention.management.progress import ProgressBar
from retention.risk.services import risk_history_backfill


class Command(BaseCommand):
    help = (
        "Build a realistic, deterministic demo organisation: regions, teams, reps with "
        "departures and their warning signs, customers, assignments, activity, deals, leave "
        "and service scores, plus demo logins."
    )

    def add_arguments(self, parser) -> None:
        defaults = DemoSize()
        parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
        parser.add_argument("--reps", type=int, default=defaults.reps, help="seats (reps)")
        parser.add_argument("--teams", type=int, default=defaults.teams)
        parser.add_argument("--regions", type=int, default=defaults.regions)
        parser.add_argument("--customers", type=int, default=defaults.customers)
        parser.add_argument("--months", type=int, default=defaults.months, help="history length")
        parser.add_argument(
            "--end-date",
            type=iso_date,
            default=None,
            help="last day of the history (default today)",
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing if there are reps already"
        )
        parser.add_argument(
            "--locale",
            choices=LOCALES,
            default="en",
            type=str.lower,
            help="the language of names, companies, teams, regions and cities; zh-hans also "
            "sets the demo users' language (default en; make run passes SEED_LOCALE)",
        )
        parser.add_argument(
            "--score-weeks",
            type=int,
            default=0,
            help="then train the risk model and score every rep weekly for this many weeks "
            "up to the end date, so the dashboards have a history (make run uses 12)",
        )
        parser.add_argument(
            "--score-months",
            type=int,
            default=0,
            help="with --score-weeks: also score every four weeks this many times before the "
            "weekly runs, and record the demo managers' interventions on at-risk reps along the "
            "history, so what worked has follow-ups (make run uses 8)",
        )
        parser.add_argument(
            "--flush",
            action="store_true",
            help="first delete reps, customers, their history, teams and non-superuser users",
        )

    def handle(self, *args, **options) -> None:
        size = DemoSize(
            reps=options["reps"],
            teams=options["teams"],
            regions=options["regions"],
            customers=options["customers"],
            months=options["months"],
        )
        try:
            size.check()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        started = time.monotonic()
        last_line = {"at": 0.0}

        def progress(stage: str, done: int, total: int) -> None:
            now = time.monotonic()
            if stage == "history" and 0 < done < total and now - last_line["at"] < 2:
                return
            last_line["at"] = now
            share = f" {done}/{total}" if total > 1 or stage == "history" else ""
            self.stdout.write(f"  [{now - started:6.1f}s] {stage}{share}")
            self.stdout.flush()

        try:
            result = demo_seed(
                seed=options["seed"],
                size=size,
                end_date=options["end_date"],
                flush=options["flush"],
                if_empty=options["if_empty"],
                locale=options["locale"],
                progress=progress if options["verbosity"] else None,
            )
        except DemoSeedError as exc:
            raise CommandError(str(exc)) from exc
        if result is None:
            self.stdout.write(_("Reps already exist; nothing seeded (--if-empty)."))
            return
        if options["score_weeks"] > 0:
            end = options["end_date"] or timezone.localdate()
            bar = ProgressBar(self.stdout, _("risk history"), enabled=options["verbosity"] > 0)
            runs = risk_history_backfill(
                end=end,
                weeks=options["score_weeks"],
                months=options["score_months"],
                progress=bar,
            )
            model = runs[-1].model
            self.stdout.write(
                "  "
                + _("%(runs)s scoring runs up to %(end)s with %(version)s (%(kind)s)")
                % {
                    "runs": len(runs),
                    "end": end,
                    "version": model.version,
                    "kind": model.get_kind_display(),
                }
            )
            if options["score_months"] > 0:
                count = demo_interventions_record(seed=options["seed"], end=end)
                self.stdout.write(
                    "  "
                    + _("%(count)s interventions on at-risk reps along the history")
                    % {"count": count}
                )
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Demo organisation seeded in %(seconds)ss (%(commit)ss to commit, the rest by "
                    "demo_seeded receivers)"
                )
                % {
                    "seconds": f"{result.seconds:.1f}",
                    "commit": f"{result.seconds_to_commit:.1f}",
                }
            )
        )
        width = max(len(label) for label in result.counts)
        for label, rows in result.counts.items():
            self.stdout.write(f"  {label:<{width}}  {rows:>12,}")
        self.stdout.write(
            "  "
            + _(
                "of the reps: %(reps_left_voluntary)s left voluntarily, %(reps_left_other)s left "
                "otherwise, %(reps_serving_notice)s serving notice, "
                "%(reps_active_showing_strain)s still active but already showing strain"
            )
            % result.summary
        )
