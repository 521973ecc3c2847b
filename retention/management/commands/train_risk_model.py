from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from retention.management.arguments import iso_date
from retention.management.progress import ProgressBar
from retention.models import RiskModel
from retention.risk import services


class Command(BaseCommand):
    help = (
        "Train the departure-risk model on past snapshots, validate it on later ones and make it "
        "the model in use (or stay on the rules when there are too few departures)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--as-of", type=iso_date, default=None, help="YYYY-MM-DD (today)")
        parser.add_argument("--horizon", type=int, default=90, help="days ahead (90)")
        parser.add_argument("--seed", type=int, default=0, help="random seed of the learners")

    def handle(self, *args, **options) -> None:
        if options["horizon"] < 7:
            raise CommandError(_("--horizon must be at least 7 days"))
        bar = ProgressBar(self.stdout, _("snapshots"), enabled=options["verbosity"] > 0)
        model = services.risk_model_train(
            as_of=options["as_of"],
            horizon_days=options["horizon"],
            seed=options["seed"],
            progress=bar,
        )
        metrics = model.metrics
        if model.kind == RiskModel.Kind.RULES:
            reason = metrics.get("not_trained_because") or (
                _("%(departures)s voluntary departures, %(needed)s needed")
                % {
                    "departures": metrics.get("voluntary_departures", 0),
                    "needed": metrics.get("departures_needed"),
                }
            )
            self.stdout.write(
                self.style.WARNING(
                    _("Not trained: %(reason)s. Using %(version)s.")
                    % {"reason": reason, "version": model.version}
                )
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                _("Trained %(version)s (%(algorithm)s)")
                % {"version": model.version, "algorithm": model.algorithm}
            )
        )
        for key in (
            "roc_auc",
            "average_precision",
            "precision_top",
            "recall_top",
            "median_lead_days",
            "departures",
            "departures_flagged",
            "holdout_start",
            "holdout_end",
            "candidates_roc_auc",
            "calibration",
        ):
            value = metrics.get(key)
            shown = f"{value:.3f}" if isinstance(value, float) else value
            self.stdout.write(f"  {key:<30} {shown}")
