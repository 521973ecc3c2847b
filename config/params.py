"""Reading values from a request's query string or form, forgiving of what a browser sends."""


def int_or_none(value: str | None) -> int | None:
    """A whole number from a query parameter, or None when it is missing or not a number (a
    filter left on "All" or a hand-edited URL shows everything rather than an error page)."""
    try:
        return int(value) if value else None
    except ValueError:
        return None
