"""The OpenAPI schema says what the API does: null where it sends null, no parameter it ignores."""

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


def test_no_list_documents_a_search_parameter_it_ignores(client, admin_user):
    """DRF's SearchFilter was a default backend, but no view names search_fields: ``search``
    was documented on six lists and filtered nothing (``q`` is the lists' search)."""
    client.force_login(admin_user)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    documented = {
        path
        for path, operations in schema["paths"].items()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "search"
    }
    assert documented == set()


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
@pytest.mark.parametrize("method", ["options", "post", "put", "delete"])
def test_the_docs_pages_answer_only_get_and_head(client, admin_user, url, method):
    """OPTIONS on Swagger UI's page rendered a template it names only for GET: a 500."""
    client.force_login(admin_user)
    assert getattr(client, method)(url).status_code == 405
    assert client.get(url).status_code == 200 and client.head(url).status_code == 200
