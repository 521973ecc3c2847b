from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from accounts.access import may, page
from accounts.models import User

# Each role's working page, when its group lets it open it.
LANDING: dict[str, tuple[str, str]] = {
    User.Role.HR: ("handover:vacancy_list", "handover.view_vacancy"),
    User.Role.SALES_MANAGER: ("retention:dashboard", "retention.view_riskscore"),
    User.Role.ADMIN: ("retention:dashboard", "retention.view_riskscore"),
}
FALLBACKS: list[tuple[str, str]] = [
    ("retention:dashboard", "retention.view_riskscore"),
    ("retention:rep_list", "retention.view_salesrep"),
]


@page()
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its working page: managers and admins on the risk dashboard, HR on
    the vacancies; anyone else on the first page their rights open, or a 403."""
    choices = [LANDING[request.user.role]] if request.user.role in LANDING else []
    for url_name, perm in [*choices, *FALLBACKS]:
        if may(request.user, perm):
            return redirect(url_name)
    return redirect("retention:rep_list")
