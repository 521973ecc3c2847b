"""Read APIs for reps and customers. Same scoping as the pages: out of scope is a 404."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from retention import selectors
from retention.models import Assignment, Customer, SalesRep


class RepFilter(django_filters.FilterSet):
    team = django_filters.NumberFilter(field_name="team_id", min_value=1, max_value=2**63 - 1)
    status = django_filters.ChoiceFilter(choices=SalesRep.Status.choices)
    hired_after = django_filters.DateFilter(field_name="hire_date", lookup_expr="gte")

    class Meta:
        model = SalesRep
        fields = ["team", "status", "hired_after"]


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
    """Reps in the caller's scope. Filter by team, status, hire date; search by name or e-mail."""

    serializer_class = RepOutputSerializer
    filterset_class = RepFilter
    search_fields = ["first_name", "last_name", "email", "crm_user_id", "hr_employee_id"]
    ordering_fields = ["last_name", "hire_date", "team__name"]
    ordering = ["last_name", "first_name", "id"]

    queryset = SalesRep.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return selectors.reps_visible(user=self.request.user)


class RepDetailApi(APIView):
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
            only_relationship = serializers.SerializerMethodField()

            def get_only_relationship(self, obj: Assignment) -> bool:
                return not obj.has_other_relationship

        customers = serializers.SerializerMethodField()

        class Meta(RepOutputSerializer.Meta):
            fields = [*RepOutputSerializer.Meta.fields, "customers"]

        @extend_schema_field(CustomerSerializer(many=True))
        def get_customers(self, rep: SalesRep) -> list[dict]:
            assignments = selectors.rep_current_customers(rep=rep)
            return self.CustomerSerializer(assignments, many=True).data

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request, rep_id: int) -> Response:
        rep = selectors.rep_get_visible(user=request.user, rep_id=rep_id)
        return Response(self.OutputSerializer(rep).data)


class CustomerFilter(django_filters.FilterSet):
    key = django_filters.BooleanFilter(field_name="is_key_account")
    region = django_filters.CharFilter()
    industry = django_filters.CharFilter()

    class Meta:
        model = Customer
        fields = ["key", "region", "industry"]


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
    """Customers held by reps in the caller's scope."""

    serializer_class = CustomerOutputSerializer
    filterset_class = CustomerFilter
    search_fields = ["name", "external_id"]
    ordering_fields = ["name", "annual_revenue"]
    ordering = ["name", "id"]

    queryset = Customer.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return selectors.customers_visible(user=self.request.user)


class CustomerDetailApi(APIView):
    class OutputSerializer(CustomerOutputSerializer):
        class HolderSerializer(serializers.Serializer):
            rep_id = serializers.IntegerField(allow_null=True)
            manager_id = serializers.IntegerField(allow_null=True)
            holder = serializers.CharField(source="holder_name")
            role = serializers.CharField()
            valid_from = serializers.DateField()
            valid_to = serializers.DateField(allow_null=True)
            source = serializers.CharField()

        holders = serializers.SerializerMethodField()

        class Meta(CustomerOutputSerializer.Meta):
            fields = [*CustomerOutputSerializer.Meta.fields, "needs", "holders"]

        @extend_schema_field(HolderSerializer(many=True))
        def get_holders(self, customer: Customer) -> list[dict]:
            assignments = selectors.customer_assignments(customer=customer)
            return self.HolderSerializer(assignments, many=True).data

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request, customer_id: int) -> Response:
        customer = selectors.customer_get_visible(user=request.user, customer_id=customer_id)
        return Response(self.OutputSerializer(customer).data)
