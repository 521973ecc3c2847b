"""The words of a trained model's validation. ``retention.scoring`` knows nothing of Django and
writes its metrics in English, keyed by ids (the baselines by feature name); this turns them
into the reader's language, keyed by those ids, so the scoring package stays translation-free."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The simple one-signal baselines a model must beat (``retention.scoring.model.BASELINES``).
BASELINE_LABELS = {
    "leave_days_recent": gettext_lazy("Leave days in the last 90 days"),
    "activity_variation": gettext_lazy("Recent variation of weekly activity"),
}
# What the scoring package writes when the holdout has nothing to measure on.
_NO_DEPARTURE = "the holdout holds no departure to measure on"


def baseline_label(key: str, stored: str = "") -> str:
    """A baseline's name in the active language; the stored text for a baseline not known here."""
    label = BASELINE_LABELS.get(key)
    return str(label) if label is not None else stored or key


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
    return shown
