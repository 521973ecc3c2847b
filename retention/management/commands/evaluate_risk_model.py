from django.core.management.base import BaseCommand, CommandError

from retention.management.arguments import iso_date
from retention.management.progress import ProgressBar
from retention.models import RiskModel
from retention.risk import services


class Command(BaseCommand):
    help = (
        "Backtest a model (the one in use by default): had Relay scored every week on past "
        "dates, which resignations it flagged, how early, and how many false alarms."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--model", default=None, help="version (the model in use)")
        parser.add_argument("--as-of", type=iso_date, default=None, help="YYYY-MM-DD (today)")

    def handle(self, *args, **options) -> None:
        model = None
        if options["model"]:
            model = RiskModel.objects.filter(version=options["model"]).first()
            if model is None:
                raise CommandError(f"No model with version {options['model']!r}")
        bar = ProgressBar(self.stdout, "dates", enabled=options["verbosity"] > 0)
        model = services.risk_model_evaluate(model=model, as_of=options["as_of"], progress=bar)
        report = model.backtest
        summary = report["summary"]
        self.stdout.write(
            self.style.SUCCESS(f"Backtest of {model.version} ({model.get_kind_display()})")
        )
        if not summary.get("dates"):
            self.stdout.write("  No past dates to score.")
            return
        self.stdout.write(
            f"  {summary['dates']} weekly dates {summary['start']} – {summary['end']}; "
            f"flagged = top {summary['top_share']:.0%} of each date"
        )
        self.stdout.write(
            f"  resignations {summary['departures']}, flagged beforehand "
            f"{summary['departures_flagged']}, median lead {summary['median_lead_days']} days"
        )
        self.stdout.write(
            f"  flags {summary['flags']}, false alarms {summary['false_alarms']} "
            f"({summary['false_alarm_reps']} reps), precision {summary['precision']}"
        )
        self.stdout.write("  rep                            last day    first flag  days ahead")
        for row in report["departures"]:
            lead = "—" if row["lead_days"] is None else row["lead_days"]
            self.stdout.write(
                f"  {row.get('rep_name', row['rep_id'])!s:<30} {row['departure_date']}  "
                f"{row['first_flag'] or 'never':<10}  {lead}"
            )
