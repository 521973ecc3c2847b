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
