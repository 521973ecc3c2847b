"""Read APIs for reps and customers. Same scope, rights and filters as the pages: out of scope
is a 404, a role without the right a 403, a bad parameter a 400 naming it."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from retention import selectors
from retention.filters import CustomerFilterSet, RepFilterSet
from retention.models import Customer, SalesRep
from retention.ownership import selectors as ownership
from retention.ownership.selectors import Holder


class RepOutputSerializer(serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name")

    class Meta:
        model = SalesRep
        fields = [
            "id",
            "first_name",
            "last_name",
            "email",
            "title",
            "team",
            "team_name",
            "region",
            "hire_date",
            "annual_quota",
            "status",
            "departure_date",
            "departure_reason",
            "crm_user_id",
            "hr_employee_id",
        ]


class RepListApi(generics.ListAPIView):
    """Reps in the caller's scope, as on the reps page: ``q`` (names and e-mail in part, CRM
    and HR ids whole), ``team`` (a region includes its teams), ``status``, ``hired_after``,
    ``sort``."""

    required_perms = "retention.view_salesrep"
    serializer_class = RepOutputSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = RepFilterSet

    queryset = SalesRep.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return selectors.reps_visible_to(self.request.user)


class RepDetailApi(APIView):
    required_perms = "retention.view_salesrep"

    class OutputSerializer(RepOutputSerializer):
        class CustomerSerializer(serializers.Serializer):
            customer_id = serializers.IntegerField()
            customer_name = serializers.CharField(source="customer.name")
            role = serializers.CharField()
            valid_from = serializers.DateField()
            annual_revenue = serializers.DecimalField(
                source="customer.annual_revenue", max_digits=16, decimal_places=2
            )
            is_key_account = serializers.BooleanField(source="customer.is_key_account")
            only_relationship = serializers.BooleanField()

        customers = serializers.SerializerMethodField()

        class Meta(RepOutputSerializer.Meta):
            fields = [*RepOutputSerializer.Meta.fields, "customers"]

        @extend_schema_field(CustomerSerializer(many=True))
        def get_customers(self, rep: SalesRep) -> list[dict]:
            assignments = ownership.rep_current_customers(rep=rep)
            return self.CustomerSerializer(assignments, many=True).data

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request, rep_id: int) -> Response:
        rep = selectors.rep_get_visible(user=request.user, rep_id=rep_id)
        return Response(self.OutputSerializer(rep).data)


class CustomerOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = [
            "id",
            "name",
            "source",
            "external_id",
            "industry",
            "region",
            "annual_revenue",
            "is_key_account",
        ]


class CustomerListApi(generics.ListAPIView):
    """Customers held by reps in the caller's scope, as on the customers page: ``q`` (name in
    part, the source's id whole), ``key``, ``region``, ``industry``, ``sort``."""

    required_perms = "retention.view_customer"
    serializer_class = CustomerOutputSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = CustomerFilterSet

    queryset = Customer.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return selectors.customers_visible_to(self.request.user)


class CustomerDetailApi(APIView):
    required_perms = "retention.view_customer"

    class OutputSerializer(CustomerOutputSerializer):
        class HolderSerializer(serializers.Serializer):
            rep_id = serializers.IntegerField(allow_null=True)
            manager_id = serializers.IntegerField(allow_null=True)
            holder = serializers.SerializerMethodField()
            role = serializers.CharField()
            valid_from = serializers.DateField()
            valid_to = serializers.DateField(allow_null=True)
            source = serializers.CharField()

            def get_holder(self, obj: Holder) -> str:
                return obj.name if obj.visible else ""

        holders = serializers.SerializerMethodField()

        class Meta(CustomerOutputSerializer.Meta):
            # What is known about the customer: /api/customers/<id>/knowledge/ (versioned).
            fields = [*CustomerOutputSerializer.Meta.fields, "holders"]

        @extend_schema_field(HolderSerializer(many=True))
        def get_holders(self, customer: Customer) -> list[dict]:
            assignments = ownership.customer_holder_history(
                user=self.context["request"].user, customer=customer
            )
            return self.HolderSerializer(assignments, many=True).data

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request, customer_id: int) -> Response:
        customer = selectors.customer_get_visible(user=request.user, customer_id=customer_id)
        return Response(self.OutputSerializer(customer, context={"request": request}).data)
