from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema


class RelayAutoSchema(AutoSchema):
    """Name nested serializers after the classes that hold them.

    APIs here follow the one-view-per-operation style with nested ``InputSerializer`` and
    ``OutputSerializer`` classes; without this every one of them would be called "Output" in
    the OpenAPI schema. ``RepDetailApi.OutputSerializer`` becomes ``RepDetailOutput``.
    """

    def get_serializer_name(self, serializer, direction) -> str:
        parts = type(serializer).__qualname__.split(".")
        outer = [part.removesuffix("Api").removesuffix("Serializer") for part in parts[:-1]]
        return "".join([*outer, parts[-1]])


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Documents ``Authorization: Token <key>`` (personal tokens from the API tokens page)."""

    target_class = "accounts.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A personal API token: `Token <key>`, made on the API tokens page.",
        }
