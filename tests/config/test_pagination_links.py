"""The page links of every list page (templates/_pagination.html): the query as it came, with
only the page changed."""

import pytest

from tests.conftest import make_customer, make_rep

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_pages_of_reps(team_north_a):
    for n in range(51):
        make_rep(team_north_a, "Rep", f"Number{n:02d}")


@pytest.fixture
def two_pages_of_customers(db):
    for n in range(51):
        make_customer(f"Customer {n:02d}")


@pytest.mark.parametrize(
    ("url", "rows"), [("/reps/", "two_pages_of_reps"), ("/customers/", "two_pages_of_customers")]
)
def test_a_parameter_named_items_is_kept_in_the_page_links_not_a_500(
    client, admin_user, request, url, rows
):
    request.getfixturevalue(rows)
    client.force_login(admin_user)
    response = client.get(f"{url}?items=0")
    assert response.status_code == 200
    assert 'href="?items=0&amp;page=2"' in response.content.decode()


def test_a_repeated_parameter_is_kept_whole_in_the_page_links(
    client, admin_user, two_pages_of_reps
):
    client.force_login(admin_user)
    response = client.get("/reps/?tag=a&tag=b&page=1")
    assert 'href="?tag=a&amp;tag=b&amp;page=2"' in response.content.decode()
