"""The bands' thresholds have one home (``retention.selectors.risk_thresholds``): scoring, the
model page and the API read the same numbers, and a stored score keeps its band."""

import numpy as np
import pytest
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from retention.models import RiskModel, RiskScore
from retention.risk import services
from retention.scoring.model import band
from retention.scoring.rules import RULES_HIGH, RULES_MEDIUM
from retention.selectors import risk_thresholds
from tests.retention.risk.conftest import AS_OF

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_rule_based_score_bands_by_its_fixed_thresholds(small_org):
    rules = services.risk_model_ensure_active()
    assert risk_thresholds(rules) == {
        "medium": RULES_MEDIUM,
        "high": RULES_HIGH,
        "source": "rules",
    }
    services.risk_scores_refresh(as_of=AS_OF)
    assert risk_thresholds() == risk_thresholds(rules)  # the current scores' model


def test_a_trained_model_scores_by_the_thresholds_it_worked_out(mixed_signs_org):
    model = services.risk_model_train(as_of=AS_OF)
    assert model.kind == RiskModel.Kind.TRAINED
    own = model.metrics["thresholds"]
    thresholds = risk_thresholds(model)
    assert thresholds == {"medium": own["medium"], "high": own["high"], "source": "model"}
    assert 0 < thresholds["medium"] <= thresholds["high"] < 1
    run = services.risk_scores_refresh(as_of=AS_OF)
    scores = list(run.scores.filter(status=RiskScore.Status.SCORED))
    assert scores
    expected = band(
        np.array([s.probability for s in scores]),
        medium=thresholds["medium"],
        high=thresholds["high"],
    )
    assert [s.band for s in scores] == list(expected)


def test_settings_override_every_models_thresholds(mixed_signs_org):
    rules = services.risk_model_ensure_active()
    model = services.risk_model_train(as_of=AS_OF)
    with override_settings(RELAY_RISK_MEDIUM=0.3, RELAY_RISK_HIGH=0.7):
        for each in (rules, model):
            assert risk_thresholds(each) == {"medium": 0.3, "high": 0.7, "source": "settings"}
    with override_settings(RELAY_RISK_MEDIUM=0.9):
        # Medium never above high.
        assert risk_thresholds(rules) == {"medium": 0.5, "high": 0.5, "source": "settings"}


def test_a_stored_score_keeps_the_band_it_was_scored_with(small_org, admin_user):
    run = services.risk_scores_refresh(as_of=AS_OF)
    stored = dict(run.scores.values_list("rep_id", "band"))
    with override_settings(RELAY_RISK_MEDIUM=0.0, RELAY_RISK_HIGH=0.0):
        body = api(admin_user).get(reverse("api-risk-score-list")).json()
        shown = {row["rep_id"]: row["band"] for row in body["results"]}
        assert shown == stored
        # The next run bands by the thresholds in force then.
        later = services.risk_scores_refresh(as_of=AS_OF)
        assert set(later.scores.values_list("band", flat=True)) == {RiskScore.Band.HIGH}
    assert dict(run.scores.values_list("rep_id", "band")) == stored


def test_model_page_and_api_show_the_thresholds_in_use(mixed_signs_org, client, admin_user):
    model = services.risk_model_train(as_of=AS_OF)
    services.risk_scores_refresh(as_of=AS_OF)
    thresholds = risk_thresholds(model)
    client.force_login(admin_user)
    content = client.get(reverse("retention:risk_model")).content.decode()
    assert 'id="model-thresholds"' in content and 'id="holdout-thresholds"' in content
    assert f"Medium from {thresholds['medium']:.2f}, high from {thresholds['high']:.2f}" in content
    assert "Worked out from this model" in content

    rows = api(admin_user).get(reverse("api-risk-model-list")).json()["results"]
    listed = next(row for row in rows if row["id"] == model.pk)
    assert listed["thresholds"] == thresholds
    scores = api(admin_user).get(reverse("api-risk-score-list")).json()["results"]
    assert scores[0]["model"]["thresholds"] == thresholds

    with override_settings(RELAY_RISK_MEDIUM=0.3, RELAY_RISK_HIGH=0.7):
        content = client.get(reverse("retention:risk_model")).content.decode()
        assert "Medium from 0.30, high from 0.70" in content
        assert "Set by RELAY_RISK_MEDIUM and RELAY_RISK_HIGH" in content
