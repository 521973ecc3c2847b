"""Reading values from a request's query string or form, forgiving of what a browser sends."""

# What a database integer column holds: a larger "id" can match nothing, and SQLite refuses it.
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def int_or_none(
    value: str | None, *, minimum: int = INT64_MIN, maximum: int = INT64_MAX
) -> int | None:
    """A whole number from a query parameter, or None when it is missing, not a number, or
    outside ``minimum``..``maximum`` (a filter left on "All" or a hand-edited URL shows
    everything rather than an error page)."""
    try:
        number = int(value) if value else None
    except ValueError:
        return None
    if number is None or not minimum <= number <= maximum:
        return None
    return number
