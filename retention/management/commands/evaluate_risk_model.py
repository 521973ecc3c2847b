from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

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
                raise CommandError(
                    _("No model with version %(version)s") % {"version": repr(options["model"])}
                )
        bar = ProgressBar(self.stdout, _("dates"), enabled=options["verbosity"] > 0)
        model = services.risk_model_evaluate(model=model, as_of=options["as_of"], progress=bar)
        report = model.backtest
        summary = report["summary"]
        self.stdout.write(
            self.style.SUCCESS(
                _("Backtest of %(version)s (%(kind)s)")
                % {"version": model.version, "kind": model.get_kind_display()}
            )
        )
        if not summary.get("dates"):
            self.stdout.write("  " + _("No past dates to score."))
            return
        self.stdout.write(
            "  "
            + _("%(dates)s weekly dates %(start)s – %(end)s; flagged = top %(share)s of each date")
            % {
                "dates": summary["dates"],
                "start": summary["start"],
                "end": summary["end"],
                "share": f"{summary['top_share']:.0%}",
            }
        )
        self.stdout.write(
            "  "
            + _(
                "resignations %(departures)s, flagged beforehand %(flagged)s, "
                "median lead %(lead)s days"
            )
            % {
                "departures": summary["departures"],
                "flagged": summary["departures_flagged"],
                "lead": summary["median_lead_days"],
            }
        )
        self.stdout.write(
            "  "
            + _(
                "flags %(flags)s, false alarms %(false_alarms)s (%(reps)s reps), "
                "precision %(precision)s"
            )
            % {
                "flags": summary["flags"],
                "false_alarms": summary["false_alarms"],
                "reps": summary["false_alarm_reps"],
                "precision": summary["precision"],
            }
        )
        self.stdout.write("  rep                            last day    first flag  days ahead")
        for row in report["departures"]:
            lead = "—" if row["lead_days"] is None else row["lead_days"]
            self.stdout.write(
                f"  {row.get('rep_name', row['rep_id'])!s:<30} {row['departure_date']}  "
                f"{row['first_flag'] or _('never'):<10}  {lead}"
            )
