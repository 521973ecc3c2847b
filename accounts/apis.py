from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import teams_visible_to


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
