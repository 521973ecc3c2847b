"""A model's learner is named in the reader's language on the model page (issue 16); an id
Relay does not know is shown as stored."""

import pytest
from django.urls import reverse
from django.utils import translation

from retention.models import RiskModel
from retention.risk.metrics_text import ALGORITHM_LABELS, algorithm_label


def test_every_learner_the_scoring_package_offers_has_words():
    from retention.scoring.model import SIMPLEST_FIRST

    assert set(SIMPLEST_FIRST) | {"rules"} <= set(ALGORITHM_LABELS)


def test_learner_words_follow_the_language_and_unknown_ids_stay():
    with translation.override("zh-hans"):
        assert algorithm_label("blend") == "逻辑回归与梯度提升的混合模型"
        assert algorithm_label("rules") == "规则模型（未训练）"
        assert algorithm_label("xgboost_v9") == "xgboost_v9"
    with translation.override("en"):
        assert (
            algorithm_label("hist_gradient_boosting_shallow") == "gradient boosting, shallow trees"
        )


@pytest.mark.django_db
def test_model_page_names_the_learner_in_chinese(client, admin_user):
    from accounts.services import user_language_set

    RiskModel.objects.create(
        version="v-words", kind=RiskModel.Kind.TRAINED, algorithm="blend", is_active=False
    )
    user_language_set(user=admin_user, language="zh-hans")
    client.force_login(admin_user)
    html = client.get(reverse("retention:risk_model")).content.decode()
    assert "逻辑回归与梯度提升的混合模型" in html
    assert ">blend<" not in html


@pytest.mark.django_db
def test_model_page_says_the_model_in_use_was_refit_after_its_validation(client, admin_user):
    """The holdout's figures are of the fit at the split; the model in use has seen the holdout
    (refit on every labelled snapshot), so the page must not call it unseen by the model."""
    import datetime as dt

    common = {"kind": RiskModel.Kind.TRAINED, "algorithm": "blend", "is_active": True}
    RiskModel.objects.create(
        version="v-refit",
        training_start=dt.date(2025, 1, 5),
        training_end=dt.date(2026, 8, 23),
        metrics={
            "holdout_start": "2026-03-01",
            "holdout_end": "2026-11-29",
            "validated_training_end": "2025-12-01",
            "published_fit": {"training_end": "2026-08-23", "training_rows": 900},
        },
        **common,
    )
    client.force_login(admin_user)
    html = client.get(reverse("retention:risk_model")).content.decode()
    assert "2025-01-05 – 2026-08-23" in html
    assert "fitted only on snapshots up to 2025-12-01" in html
    assert "fitted again on every snapshot whose outcome is known" in html
    # A model stored before the refit (no published fit) keeps its own words.
    RiskModel.objects.update(is_active=False)
    RiskModel.objects.create(
        version="v-old", metrics={"holdout_start": "2026-03-01", "holdout_end": "2026-11-29"},
        **common,
    )
    html = client.get(reverse("retention:risk_model")).content.decode()
    assert "later snapshots, never seen in training" in html
    assert "fitted again" not in html
