"""The user's own API tokens: create (the secret is shown once), list, revoke."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects.api import services
from projects.api.forms import TokenForm
from projects.api.models import ApiToken

NEW_SECRET_KEY = "api-token-secret"  # the session key holding a new secret until shown


def token_list(request):
    form = TokenForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                new = services.token_create(user=request.user, name=form.cleaned_data["name"])
            except services.TokenError as refusal:
                form.add_error(None, str(refusal))
                status = 400
            else:
                # Shown once, on the page the browser is sent to (a reload shows it no more).
                request.session[NEW_SECRET_KEY] = {"pk": new.token.pk, "secret": new.secret}
                return redirect("tokens:list")
        else:
            status = 400
    new_secret = request.session.pop(NEW_SECRET_KEY, None)
    tokens = ApiToken.objects.filter(user=request.user)
    return render(
        request,
        "projects/api_tokens.html",
        {"form": form, "tokens": tokens, "new_secret": new_secret},
        status=status,
    )


@require_POST
def token_revoke(request, pk):
    try:
        token = services.token_revoke(user=request.user, pk=pk)
    except ApiToken.DoesNotExist:
        messages.error(request, _("找不到這個權杖。"))
    else:
        messages.success(request, _("已撤銷權杖「%(name)s」。") % {"name": token.name})
    return redirect("tokens:list")
