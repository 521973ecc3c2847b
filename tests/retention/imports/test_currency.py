"""CurrencyIsoCode in a multi-currency Salesforce org: the code is kept with the amount, an
amount in another currency is flagged, and a code that is no currency is refused."""

import pytest

from retention.models import Customer, Deal, ImportJob
from tests.retention.imports.conftest import run_import, write

pytestmark = pytest.mark.django_db

ACCOUNTS = (
    "Id,Name,OwnerId,AnnualRevenue,CurrencyIsoCode\n"
    "001A,Yuan Works,,1200000,CNY\n"
    "001B,Dollar Corp,,500000,usd\n"
    "001C,No Code Ltd,,800000,\n"
)
OPPORTUNITIES = (
    "Id,AccountId,Name,StageName,Amount,CurrencyIsoCode,CloseDate,IsClosed,IsWon,CreatedDate\n"
    "006A,001A,Renewal,Closed Won,90000,CNY,2024-03-01,true,true,2024-01-10\n"
    "006B,001B,Upsell,Prospecting,25000,EUR,2024-06-01,false,false,2024-02-01\n"
)


@pytest.fixture
def cny(settings):
    settings.RELAY_CURRENCY = "CNY"


def test_amounts_keep_their_currency_and_foreign_ones_are_flagged(tmp_path, cny):
    job = run_import(
        write(tmp_path / "Account.csv", ACCOUNTS),
        write(tmp_path / "Opportunity.csv", OPPORTUNITIES),
    )

    assert job.status == ImportJob.Status.APPLIED, job.message
    currencies = dict(Customer.objects.values_list("external_id", "currency"))
    assert currencies == {"001A": "CNY", "001B": "USD", "001C": ""}
    assert dict(Deal.objects.values_list("external_id", "currency")) == {
        "006A": "CNY",
        "006B": "EUR",
    }
    flagged = {
        (issue["file"], issue["row"], issue["column"]): issue["reason"]
        for issue in job.issues
        if issue["outcome"] == "flagged"
    }
    assert set(flagged) == {("Account.csv", 3, "AnnualRevenue"), ("Opportunity.csv", 3, "Amount")}
    assert (
        "is in USD, not the organisation's currency (CNY)"
        in flagged[("Account.csv", 3, "AnnualRevenue")]
    )
    assert "EUR" in flagged[("Opportunity.csv", 3, "Amount")]


def test_a_code_that_is_no_currency_rejects_the_row_naming_the_column(tmp_path, cny):
    job = run_import(
        write(tmp_path / "Account.csv", "Id,Name,AnnualRevenue,CurrencyIsoCode\n001A,X,10,US$\n")
    )

    assert job.status == ImportJob.Status.REFUSED
    issue = job.issues[0]
    assert (issue["row"], issue["column"], issue["value"], issue["outcome"]) == (
        2,
        "CurrencyIsoCode",
        "US$",
        "rejected",
    )
    assert "ISO 4217" in issue["reason"]
    assert not Customer.objects.exists()
