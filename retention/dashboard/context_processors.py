from django.utils.functional import SimpleLazyObject

from accounts.access import may
from retention.dashboard.selectors import alerts_open_count


def open_alerts(request) -> dict:
    """The open-alert count for the navigation: one COUNT query, only when a page shows it and
    only for roles that may read alerts.

    The user's scope is computed once per request and cached on the user, which every page
    needs anyway.
    """
    user = getattr(request, "user", None)
    if user is None or not may(user, "retention.view_riskalert"):
        return {}
    return {"nav_open_alerts": SimpleLazyObject(lambda: alerts_open_count(user=user))}
