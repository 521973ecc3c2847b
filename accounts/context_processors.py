def navigation(request) -> dict:
    """Role flags for the base layout's navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_is_admin": user.is_relay_admin,
        "nav_is_hr": user.is_hr,
        "nav_is_manager": user.is_sales_manager,
    }
