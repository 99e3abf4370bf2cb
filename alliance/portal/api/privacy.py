"""The privacy API of the top floor: a person's export and the erasure of their account, and staff's erasure on a
verified request. Permission comes before input: the right to act is asked before the body is read."""

from django.contrib.auth import logout
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alliance.api.inputs import ERROR, validated_input
from alliance.errors import NotPermitted, require_staff
from members import services as member_services
from members.models import User

from .. import privacy


class EraseSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=4096, trim_whitespace=False, help_text="Your password.")
    code = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default="", help_text="Your TOTP code, when MFA is on."
    )


class StaffEraseSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000, help_text="The verified request: who asked, how it was verified (recorded in the audit trail)."
    )


class ErasedSerializer(serializers.Serializer):
    erased = serializers.BooleanField()
    detail = serializers.CharField()


def _erase(request: Request, *, person: User, reason: str = "") -> Response:
    try:
        privacy.person_erase(actor=request.user, person=person, reason=reason)
    except privacy.ErasureRefused as refused:
        raise exceptions.ValidationError({"refusals": refused.refusals}) from refused
    return Response({"erased": True, "detail": "The account is erased."})


class PersonalDataExportView(APIView):
    """Everything the portal holds about the caller, as one JSON document with a README part."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["me"],
        summary="Download my data: one JSON document of everything the portal holds about you (never secrets)",
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="README, then one section per app")},
    )
    def get(self, request: Request) -> Response:
        document = privacy.personal_data_export(person=request.user)
        return Response(document, headers={"Content-Disposition": 'attachment; filename="my-alliance-data.json"'})


class AccountEraseView(APIView):
    """Erase the caller's account, after the password (and the TOTP code when MFA is on)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["me"],
        summary="Erase my account (refused, saying what to do first, while others depend on you)",
        request=EraseSerializer,
        responses={200: ErasedSerializer, 400: ERROR},
    )
    def post(self, request: Request) -> Response:
        data = validated_input(EraseSerializer, request)
        member_services.account_credentials_check(person=request.user, password=data["password"], code=data["code"])
        response = _erase(request, person=request.user)
        if request.session.session_key:
            logout(request._request)
        return response


class StaffErasureView(APIView):
    """Staff erase an account on a verified request from someone who lost access to it."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["staff"],
        summary="Erase someone's account on their verified request (staff; the reason is audited)",
        request=StaffEraseSerializer,
        responses={200: ErasedSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    def post(self, request: Request, pk: int) -> Response:
        require_staff(request.user)
        person = get_object_or_404(User, pk=pk)
        if person.pk == request.user.pk:
            raise NotPermitted("Erase your own account from Your data, with your password: not as staff.")
        data = validated_input(StaffEraseSerializer, request)
        return _erase(request, person=person, reason=data["reason"])
