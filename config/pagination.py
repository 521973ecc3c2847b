"""The API's one list envelope: ``{"count", "next", "previous", "results"}``, page by page."""

from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination


class RelayPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def paginated(item: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The envelope of ``item`` rows as a serializer, for the OpenAPI schema of a view that
    pages by hand (``@extend_schema(responses=paginated(RowSerializer))``)."""
    parts = [
        part.removesuffix("Api").removesuffix("Serializer") for part in item.__qualname__.split(".")
    ]
    name = f"Paginated{''.join(parts)}List"  # as drf-spectacular names its own envelopes
    return type(
        name,
        (serializers.Serializer,),
        {
            "__qualname__": name,
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item(many=True),
        },
    )
