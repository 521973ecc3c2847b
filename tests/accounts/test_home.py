import pytest


@pytest.mark.parametrize(
    ("cast", "landing"),
    [
        ("admin_user", "/dashboard/"),
        ("manager_a", "/dashboard/"),
        ("hr_user", "/vacancies/"),
    ],
)
def test_each_role_lands_on_its_working_page(client, request, cast, landing):
    client.force_login(request.getfixturevalue(cast))
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == landing
