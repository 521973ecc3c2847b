"""Coverage-gap e-mails are written in the manager's language."""

from django.core import mail

from accounts.services import user_language_set
from handover.plans.services import coverage_alerts_notify, coverage_gaps_sync
from tests.handover.plans.conftest import TODAY, give_scores
from tests.translation_catalog import zh_hans_catalog


def test_the_gap_mail_is_in_the_managers_language(rep_a, customer_a, manager_a, tmp_path):
    manager_a.email = "mona@example.com"
    manager_a.save(update_fields=["email"])
    user_language_set(user=manager_a, language="zh-hans")
    give_scores({rep_a: "high"})
    coverage_gaps_sync(today=TODAY)
    label = "Covered only by a high-risk rep"
    with zh_hans_catalog(tmp_path, {label: "仅由高风险销售负责"}):
        assert coverage_alerts_notify() == 1
    assert len(mail.outbox) == 1
    assert "Acme Shipping: 仅由高风险销售负责" in mail.outbox[0].body
    assert label not in mail.outbox[0].body
