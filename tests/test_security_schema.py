"""The OpenAPI schema says null where the API sends null."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("component", "field"),
    [
        ("DashboardRepsRow", "last_intervention_kind"),
        ("DashboardRepsRow", "last_intervention_on"),
        ("VacancyOutput", "leaving_rep_name"),
        ("VacancyMatchesOutput", "earliest_start"),
    ],
)
def test_fields_the_api_sends_as_null_are_nullable_in_the_schema(
    client, admin_user, component, field
):
    client.force_login(admin_user)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert schema["components"]["schemas"][component]["properties"][field]["nullable"] is True


def test_the_schema_documents_token_authentication(client, admin_user):
    client.force_login(admin_user)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    scheme = schema["components"]["securitySchemes"]["tokenAuth"]
    assert scheme == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": scheme["description"],
    }
