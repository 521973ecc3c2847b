from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its working page: managers and admins on the risk dashboard, HR on
    the vacancies."""
    if request.user.is_relay_admin or request.user.is_sales_manager:
        return redirect("retention:dashboard")
    if request.user.is_hr:
        return redirect("handover:vacancy_list")
    return redirect("retention:rep_list")
