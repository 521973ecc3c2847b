"""The API for one's own API tokens: list, create (the key is in that one answer), revoke."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import tokens


class TokenOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField()
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)


class TokenListApi(generics.ListAPIView):
    """The caller's own tokens, newest first (revoked ones too)."""

    serializer_class = TokenOutputSerializer
    filter_backends: list = []

    def get_queryset(self):
        return tokens.api_tokens_of(user=self.request.user)


class TokenCreateApi(APIView):
    """A new token for the caller. The key is in this answer only; Relay keeps just its hash."""

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100)

    class OutputSerializer(TokenOutputSerializer):
        key = serializers.CharField()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, key = tokens.api_token_create(user=request.user, name=data.validated_data["name"])
        token.key = key
        return Response(self.OutputSerializer(token).data, status=status.HTTP_201_CREATED)


class TokenRevokeApi(APIView):
    """Revoke one of the caller's tokens; it is refused from then on. Someone else's is a 404."""

    @extend_schema(request=None, responses=TokenOutputSerializer)
    def post(self, request: Request, token_id: int) -> Response:
        token = tokens.api_token_revoke(user=request.user, token_id=token_id)
        return Response(TokenOutputSerializer(token).data)
