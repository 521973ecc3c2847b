from django.utils.functional import SimpleLazyObject

from retention.dashboard.selectors import alerts_open_count


def open_alerts(request) -> dict:
    """The open-alert count for the navigation: one COUNT query, and only when a page shows it.

    The user's scope is computed once per request and cached on the user, which every page
    needs anyway.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_open_alerts": SimpleLazyObject(lambda: alerts_open_count(user=user))}
