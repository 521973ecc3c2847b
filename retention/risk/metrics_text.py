"""The words of a trained model's validation. ``retention.scoring`` knows nothing of Django and
writes its metrics in English, keyed by ids (the baselines by feature name); this turns them
into the reader's language, keyed by those ids, so the scoring package stays translation-free."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

# The simple one-signal baselines a model must beat (``retention.scoring.model.BASELINES``), by
# id, in the English the scoring package stores; translated when shown.
BASELINE_LABELS = {
    "leave_days_recent": gettext_noop("Leave days in the last 90 days"),
    "activity_variation": gettext_noop("Recent variation of weekly activity"),
}
# The learners ``retention.scoring.model.candidate_pipelines`` chooses from, and the rule
# model's, by the id a RiskModel stores in ``algorithm``; translated when shown.
ALGORITHM_LABELS = {
    "rules": gettext_noop("rules (untrained)"),
    "blend": gettext_noop("blend of logistic regression and gradient boosting"),
    "logistic_regression": gettext_noop("logistic regression"),
    "logistic_regression_strong_l2": gettext_noop("logistic regression, strongly regularised"),
    "hist_gradient_boosting": gettext_noop("gradient boosting"),
    "hist_gradient_boosting_shallow": gettext_noop("gradient boosting, shallow trees"),
}
# What the scoring package writes when the holdout has nothing to measure on.
_NO_DEPARTURE = "the holdout holds no departure to measure on"


def baseline_label(key: str, stored: str = "") -> str:
    """A baseline's name in the active language; the stored text for a baseline not known here."""
    label = BASELINE_LABELS.get(key)
    return _(label) if label is not None else stored or key


def algorithm_label(algorithm: str) -> str:
    """A model's learner in the active language; an id not known here as stored."""
    label = ALGORITHM_LABELS.get(algorithm)
    return _(label) if label is not None else algorithm


def not_published_text(metrics: dict) -> str:
    """Why a trained model was not published, in the active language. Only the reasons the
    scoring package writes are recognised (compared with the English it stores, so nothing is
    guessed); any other reason is returned as stored."""
    stored = metrics.get("not_published_because") or ""
    if stored == _NO_DEPARTURE:
        return _("the holdout holds no departure to measure on")
    baselines = metrics.get("baselines") or {}
    best = metrics.get("best_baseline")
    key = next((k for k, b in baselines.items() if b.get("label") == best), None)
    model_auc = metrics.get("roc_auc")
    if key is None or model_auc is None or baselines[key].get("roc_auc") is None:
        return stored
    best_auc = baselines[key]["roc_auc"]
    english = (
        f"holdout ROC AUC {model_auc:.3f} does not beat the baseline “{best}” ({best_auc:.3f})"
    )
    if stored != english:
        return stored
    return _(
        "holdout ROC AUC %(model)s does not beat the baseline “%(baseline)s” (%(baseline_auc)s)"
    ) % {
        "model": f"{model_auc:.3f}",
        "baseline": baseline_label(key, best),
        "baseline_auc": f"{best_auc:.3f}",
    }


# Why no model was trained, as ``retention.scoring.model.NotEnoughHistory`` words it, and the
# not-published reason as it stands inside "Model … was not published: …." (rules' metrics).
_FEW_DATES = re.compile(r"only (?P<dates>\d+) snapshot dates; at least 4 are needed")
_FEW_DEPARTURES = re.compile(
    r"(?P<departures>\d+) voluntary departures to learn from; (?P<needed>\d+) are needed"
)
_NO_DEPARTURE_IN = re.compile(
    r"the (?P<part>training|validation) snapshots hold no departure to learn from"
)
_NOT_BEATEN = re.compile(
    r"holdout ROC AUC (?P<model>[\d.]+) does not beat the baseline “(?P<baseline>.+)” "
    r"\((?P<baseline_auc>[\d.]+)\)"
)
_NOT_PUBLISHED = re.compile(r"Model (?P<version>\S+) was not published: (?P<reason>.*)\.", re.S)


def _baseline_by_english(label: str) -> str:
    """A baseline's name in the active language from the English the scoring package stored."""
    key = next((k for k, english in BASELINE_LABELS.items() if english == label), None)
    return baseline_label(key, label) if key else label


def reason_text(stored: str) -> str:
    """One of the scoring package's reasons (no model trained, or not published) in the active
    language; any other text as stored."""
    if stored == _NO_DEPARTURE:
        return _("the holdout holds no departure to measure on")
    if match := _FEW_DATES.fullmatch(stored):
        return _("only %(dates)s snapshot dates; at least 4 are needed") % match.groupdict()
    if match := _FEW_DEPARTURES.fullmatch(stored):
        return (
            _("%(departures)s voluntary departures to learn from; %(needed)s are needed")
            % match.groupdict()
        )
    if match := _NO_DEPARTURE_IN.fullmatch(stored):
        if match["part"] == "training":
            return _("the training snapshots hold no departure to learn from")
        return _("the validation snapshots hold no departure to learn from")
    if match := _NOT_BEATEN.fullmatch(stored):
        return _(
            "holdout ROC AUC %(model)s does not beat the baseline “%(baseline)s” (%(baseline_auc)s)"
        ) % {**match.groupdict(), "baseline": _baseline_by_english(match["baseline"])}
    return stored


def not_trained_text(stored: str) -> str:
    """Why the rules are in use, as stored in their metrics, in the active language."""
    if match := _NOT_PUBLISHED.fullmatch(stored):
        return _("Model %(version)s was not published: %(reason)s.") % {
            "version": match["version"],
            "reason": reason_text(match["reason"]),
        }
    return reason_text(stored)


def metrics_display(metrics: dict) -> dict:
    """A copy of a model's metrics for a page: the baselines' names, the best one and the reason
    it was not published in the active language. The stored metrics are not changed."""
    if not metrics:
        return metrics
    shown = dict(metrics)
    baselines = metrics.get("baselines")
    if isinstance(baselines, dict):
        shown["baselines"] = {
            key: {**value, "label": baseline_label(key, value.get("label", ""))}
            for key, value in baselines.items()
        }
        best = metrics.get("best_baseline")
        key = next((k for k, b in baselines.items() if b.get("label") == best), None)
        if key is not None:
            shown["best_baseline"] = baseline_label(key, best)
    if metrics.get("not_published_because"):
        shown["not_published_because"] = not_published_text(metrics)
    if metrics.get("not_trained_because"):
        shown["not_trained_because"] = not_trained_text(metrics["not_trained_because"])
    return shown
