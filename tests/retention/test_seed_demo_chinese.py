"""``seed_demo --locale zh-hans``: the same organisation as the English demo of the same seed,
with Chinese names, companies, teams, regions and cities, and the demo users in Chinese."""

import re
from io import StringIO

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command

from accounts.models import Team, User
from handover.models import Application, Candidate, Vacancy
from retention.demo import DemoSeedError, demo_seed
from retention.demo.generate import build_org, chunk_count, history_chunk
from retention.models import Activity, Customer, Deal, SalesRep
from tests.retention.test_seed_demo import END, SEED, SMALL, snapshot

HAN = re.compile(r"[\u4e00-\u9fff]")
# Words: the columns the language changes. Everything else must be equal.
PEOPLE_WORDS = {"first_name", "last_name", "email", "title"}
CUSTOMER_WORDS = {"name", "industry", "region"}
SNAPSHOT_WORDS = {
    "reps": [2, 3, 4, 5, 6, 7],  # names, e-mail, team, title, region
    "customers": [1, 2, 3],
    "activities": [5],
    "deals": [2, 3],
    "teams": [0, 1, 2],
    "logins": [2],
}


def _without(frame: pd.DataFrame, columns: set[str]) -> pd.DataFrame:
    return frame.drop(columns=[c for c in columns if c in frame.columns])


def test_chinese_org_is_the_english_one_but_for_names_and_words():
    english = build_org(seed=SEED, size=SMALL, end=END)
    chinese = build_org(seed=SEED, size=SMALL, end=END, locale="zh-hans")
    pd.testing.assert_frame_equal(
        _without(english.people, PEOPLE_WORDS), _without(chinese.people, PEOPLE_WORDS)
    )
    pd.testing.assert_frame_equal(
        _without(english.customers, CUSTOMER_WORDS), _without(chinese.customers, CUSTOMER_WORDS)
    )
    pd.testing.assert_frame_equal(english.assignments, chinese.assignments)
    assert english.login_keys == chinese.login_keys  # the logins keep their names
    for chunk in range(chunk_count(english)):
        en, zh = history_chunk(english, chunk), history_chunk(chinese, chunk)
        pd.testing.assert_frame_equal(en.leave, zh.leave)
        pd.testing.assert_frame_equal(en.service, zh.service)
        pd.testing.assert_frame_equal(en.lost_sales, zh.lost_sales)
        pd.testing.assert_frame_equal(
            _without(en.activities, {"subject"}), _without(zh.activities, {"subject"})
        )
        pd.testing.assert_frame_equal(
            _without(en.deals, {"name", "stage"}), _without(zh.deals, {"name", "stage"})
        )
        assert all(HAN.search(s) for s in zh.activities["subject"])
        assert all(HAN.search(s) for s in zh.deals["stage"])


def test_chinese_names_companies_teams_and_regions():
    org = build_org(seed=SEED, size=SMALL, end=END, locale="zh-hans")
    people = org.people
    assert all(HAN.fullmatch(s) for s in people["last_name"])
    assert all(re.fullmatch(r"[\u4e00-\u9fff]{1,2}", g) for g in people["first_name"])
    assert all(re.fullmatch(r"[a-z]+\.[a-z]+\d*@demo\.relay\.example", e) for e in people["email"])
    assert people["email"].is_unique
    assert all(HAN.search(t) for t in people["title"])
    assert org.region_names == ["华北大区", "华南大区", "华东大区"]
    assert org.team_names[:3] == ["北京一组", "广州一组", "上海一组"]
    assert len(set(org.team_names)) == len(org.team_names)
    names = org.customers["name"]
    assert all(
        re.fullmatch(r"[\u4e00-\u9fff]+(有限公司|股份有限公司|集团有限公司)", n) for n in names
    )
    assert any(n.startswith("上海") for n in names)
    assert set(org.customers["region"]) <= set(org.region_names)
    assert all(HAN.search(i) for i in org.customers["industry"])


def test_more_teams_than_cities_are_numbered_and_stay_unique():
    from retention.demo import chinese

    regions, teams = chinese.region_and_team_names(2, np.arange(14) % 2)
    assert regions == ["华北大区", "华南大区"]
    assert teams[0] == "北京一组" and teams[10] == "北京二组"
    assert len(set(teams)) == 14


def test_an_unknown_locale_is_refused_with_the_flag_named(db):
    with pytest.raises(DemoSeedError, match="--locale"):
        demo_seed(seed=SEED, size=SMALL, end_date=END, locale="fr")


def _words_out(tables: dict) -> dict:
    out = {}
    for name, rows in tables.items():
        drop = SNAPSHOT_WORDS.get(name, [])
        kept = [tuple(v for i, v in enumerate(row) if i not in drop) for row in rows]
        out[name] = sorted(kept, key=lambda row: tuple(str(v) for v in row))
    return out


def _hiring() -> list[tuple]:
    return sorted(
        Application.objects.values_list(
            "vacancy__opened_on", "vacancy__status", "stage", "candidate__source"
        ),
        key=str,
    )


def test_seeded_in_chinese_the_database_holds_the_same_rows_but_for_words(db):
    demo_seed(seed=SEED, size=SMALL, end_date=END)
    english, english_hiring = _words_out(snapshot()), _hiring()
    english_counts = (Vacancy.objects.count(), Candidate.objects.count())
    demo_seed(seed=SEED, size=SMALL, end_date=END, flush=True, locale="zh-hans")
    assert _words_out(snapshot()) == english
    assert _hiring() == english_hiring
    assert (Vacancy.objects.count(), Candidate.objects.count()) == english_counts


def test_seeded_in_chinese_the_demo_users_speak_chinese_and_keep_their_logins(db):
    out = StringIO()
    call_command(
        "seed_demo",
        "--seed",
        str(SEED),
        "--reps",
        "24",
        "--teams",
        "6",
        "--regions",
        "3",
        "--customers",
        "100",
        "--months",
        "9",
        "--end-date",
        END.isoformat(),
        "--locale",
        "zh-hans",
        stdout=out,
    )
    logins = User.objects.filter(username__in=["admin", "hr", "manager.north", "manager.east1"])
    assert {u.username: u.language for u in logins} == {
        "admin": "zh-hans",
        "hr": "zh-hans",
        "manager.north": "zh-hans",
        "manager.east1": "zh-hans",
    }
    assert not User.objects.exclude(language="zh-hans").filter(username__startswith="manager.")
    manager = User.objects.get(username="manager.east1")
    assert HAN.search(str(manager)) and " " not in str(manager)  # 王伟, family name first
    assert set(manager.managed_teams.values_list("name", flat=True)) == {"上海一组"}
    rep = SalesRep.objects.order_by("id").first()
    assert rep.full_name == f"{rep.last_name}{rep.first_name}"
    assert Team.objects.filter(parent__isnull=True, name="华东大区").exists()
    assert all(HAN.search(n) for n in Customer.objects.values_list("name", flat=True))
    assert all(HAN.search(s) for s in Activity.objects.values_list("subject", flat=True)[:500])
    assert all(HAN.search(s) for s in Deal.objects.values_list("stage", flat=True)[:500])
    assert all(HAN.search(n) for n in Candidate.objects.values_list("last_name", flat=True))


def test_the_english_demo_stays_the_default_and_follows_the_browser(db):
    demo_seed(seed=SEED, size=SMALL, end_date=END)
    assert set(User.objects.values_list("language", flat=True)) == {""}
    assert not any(HAN.search(n) for n in Customer.objects.values_list("name", flat=True))
