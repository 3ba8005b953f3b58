"""The registry's pages: the accounts one may see, an account (balance, blocks,
history, transfer and retire forms) and the public list of retirements."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects.credits import permissions, selectors, services
from projects.credits.forms import RetireForm, TransferForm
from projects.templatetags.plan_format import tonnes

HISTORY_PAGE_SIZE = 50
PUBLIC_PAGE_SIZE = 50


def account_list(request):
    """The accounts of the user's organisations (every open account for site
    administrators), with balances summed over their blocks in one query."""
    holders = permissions.account_holders(request.user)
    if request.user.is_superuser:
        holders = holders.filter(credit_account__isnull=False)
    rows = selectors.with_balances(holders).order_by("name")[:500]
    return render(request, "projects/credits/account_list.html", {"rows": rows})


def _account_page(request, organisation, *, transfer_form=None, retire_form=None, status=200):
    account = selectors.account_of(organisation)
    history = Paginator(selectors.account_history(account), HISTORY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "projects/credits/account_detail.html",
        {
            "organisation": organisation,
            "account": account,
            **selectors.account_balance(account),
            "blocks": selectors.held_blocks(account),
            "history": history,
            "can_operate": permissions.can_operate_account(request.user, organisation),
            "transfer_form": transfer_form or TransferForm(),
            "retire_form": retire_form or RetireForm(),
        },
        status=status,
    )


def account_detail(request, pk):
    organisation = permissions.visible_holder(request.user, pk)
    return _account_page(request, organisation)


def _refused(form, refusal: services.CreditError) -> None:
    form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)


@require_POST
def account_transfer(request, pk):
    organisation = permissions.operable_holder(request.user, pk)
    form = TransferForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                entry = services.transfer(
                    from_account=services.account_for_organisation(organisation),
                    to_account=services.account_for_organisation(
                        form.cleaned_data["to_organisation"]
                    ),
                    quantity=form.cleaned_data["quantity"],
                    by=request.user,
                )
        except services.CreditError as refusal:
            _refused(form, refusal)
        else:
            messages.success(
                request,
                _("已移轉 %(quantity)s 公噸給 %(to)s。")
                % {"quantity": entry.quantity, "to": entry.to_account.organisation},
            )
            return redirect("credits:account", pk=organisation.pk)
    return _account_page(request, organisation, transfer_form=form, status=400)


@require_POST
def account_retire(request, pk):
    organisation = permissions.operable_holder(request.user, pk)
    form = RetireForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                entry = services.retire(
                    account=services.account_for_organisation(organisation),
                    quantity=data["quantity"],
                    purpose=data["purpose"],
                    beneficiary=data["beneficiary"],
                    by=request.user,
                    tax_id=data["tax_id"] or None,
                    year=data["year"],
                    chargeable_emissions=data["chargeable_emissions"],
                )
        except services.CreditError as refusal:
            _refused(form, refusal)
        else:
            message = _("已註銷 %(quantity)s 公噸。") % {"quantity": entry.quantity}
            if entry.deducted_emissions is not None:
                message += _("可抵減收費排放量 %(deducted)s 公噸。") % {
                    "deducted": tonnes(entry.deducted_emissions)
                }
            messages.success(request, message)
            return redirect("credits:account", pk=organisation.pk)
    return _account_page(request, organisation, retire_form=form, status=400)


@login_not_required
def retirements(request):
    """Every retirement, newest first, without signing in."""
    page = Paginator(selectors.public_retirements(), PUBLIC_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "projects/credits/retirements.html", {"page": page})
