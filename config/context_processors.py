from django.http import HttpRequest

from config.background import broker_available


def background_status(request: HttpRequest) -> dict:
    """``background_paused`` for the banner every page shows while the queue is unreachable."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"background_paused": not broker_available()}
