"""Writing an account's history (AccountEvent) from views, services and signals."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address

from accounts.models import AccountEvent
from config.middleware import client_address


def record(user, kind: str, *, actor=None, request=None, detail: str = "") -> AccountEvent:
    ip = None
    if request is not None:
        address = client_address(request)
        try:
            validate_ipv46_address(address)
            ip = address
        except ValidationError:
            ip = None
        if actor is None and getattr(request, "user", None) is not None:
            actor = request.user if request.user.is_authenticated else None
    return AccountEvent.objects.create(
        user=user, kind=kind, actor=actor, detail=detail[:300], ip=ip
    )
