"""Retention 0013 turns the English handover contexts written before it into data, and leaves
any other context as it was."""

import importlib

import pytest
from django.apps import apps

from retention.knowledge.services import customer_knowledge_update
from retention.models import CustomerKnowledge

pytestmark = pytest.mark.django_db


def test_english_handover_contexts_become_data_and_others_stay(customer_a, manager_a):
    migration = importlib.import_module("retention.migrations.0013_knowledge_context_data")
    english, other = (
        customer_knowledge_update(
            customer=customer_a,
            author=manager_a,
            parts={"needs": needs},
            source=CustomerKnowledge.Source.HANDOVER,
            context=context,
        )[0]
        for needs, context in (
            ("Reports", "Handover of Alice O'Neil's customers (plan 12)"),
            ("Visits", "Alice O'Neil 的客户交接（计划 12）"),
        )
    )
    migration.handover_contexts_to_data(apps, None)
    english.refresh_from_db()
    other.refresh_from_db()
    assert english.context_data == {
        "code": "handover_plan",
        "params": {"rep": "Alice O'Neil", "id": 12},
    }
    assert english.context_text == english.context  # English reads as it was written
    assert other.context_data == {} and other.context_text == other.context

