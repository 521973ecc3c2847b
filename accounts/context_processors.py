from accounts.access import may
from accounts.languages import language_choices


def navigation(request) -> dict:
    """What the navigation offers: one flag per destination, each the permission of the role
    group that opening it needs (``accounts.access.may``), so a link shows exactly when the
    page would open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav": {
            "dashboard": may(user, "retention.view_riskscore"),
            "alerts": may(user, "retention.view_riskalert"),
            "reps": may(user, "retention.view_salesrep"),
            "customers": may(user, "retention.view_customer"),
            "handover": may(user, "handover.view_handoverplan"),
            "routing": may(user, "retention.view_riskscore", "retention.view_assignment"),
            "what_worked": may(user, "retention.view_riskscore", "retention.view_intervention"),
            "hiring": may(user, "handover.view_vacancy"),
            "imports": may(user, "retention.add_importjob"),
            "risk_model": may(user, "retention.view_riskmodel"),
            "admin": user.is_active and user.is_staff,
        },
        # Role names, for the templates that still choose by role (hiring, imports).
        "nav_is_admin": user.is_relay_admin,
        "nav_is_hr": user.is_hr,
        "nav_is_manager": user.is_sales_manager,
    }


def language_switcher(request) -> dict:
    """The header's language switcher: each offered language named in itself, and where the
    form returns to (the page it is on)."""
    return {
        "switcher_languages": language_choices(),
        "switcher_next": request.get_full_path(),
        "switcher_saved": getattr(getattr(request, "user", None), "language", ""),
    }
