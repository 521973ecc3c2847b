from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import teams_visible_to
from accounts.languages import language_choices, user_language
from accounts.services import user_language_set


class MeApi(APIView):
    """Who the caller is, their role and the teams they may see."""

    required_perms = ()  # anyone signed in

    class OutputSerializer(serializers.Serializer):
        class TeamSerializer(serializers.Serializer):
            id = serializers.IntegerField()
            name = serializers.CharField()
            parent_id = serializers.IntegerField(allow_null=True)
            region = serializers.CharField()

        id = serializers.IntegerField()
        username = serializers.CharField()
        full_name = serializers.CharField(source="get_full_name")
        role = serializers.CharField()
        teams_in_scope = TeamSerializer(many=True)

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        user = request.user
        user.teams_in_scope = list(teams_visible_to(user=user))
        return Response(self.OutputSerializer(user).data)


class PreferencesApi(APIView):
    """The caller's own preferences. ``language`` is a code of ``languages`` or "" to follow
    the browser (e-mails then go in the organisation's ``LANGUAGE_CODE``); ``effective_language``
    is what e-mails to the caller are written in."""

    required_perms = ()  # anyone signed in, for themselves only

    class OutputSerializer(serializers.Serializer):
        class LanguageSerializer(serializers.Serializer):
            code = serializers.CharField()
            name = serializers.CharField()

        language = serializers.CharField(allow_blank=True)
        effective_language = serializers.CharField()
        languages = LanguageSerializer(many=True)

    class InputSerializer(serializers.Serializer):
        language = serializers.CharField(allow_blank=True, max_length=10)

    def _answer(self, user) -> Response:
        data = {
            "language": user.language,
            "effective_language": user_language(user),
            "languages": [{"code": c, "name": n} for c, n in language_choices()],
        }
        return Response(self.OutputSerializer(data).data)

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        return self._answer(request.user)

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def patch(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if "language" in data.validated_data:
            user_language_set(user=request.user, language=data.validated_data["language"])
        return self._answer(request.user)
