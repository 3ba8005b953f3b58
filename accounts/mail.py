"""E-mails with a text body and the same text as HTML; links from SITE_URL."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import TemplateDoesNotExist, render_to_string

logger = logging.getLogger(__name__)


def site_link(path: str) -> str:
    """An absolute link for an e-mail: SITE_URL, never the host a request named
    (a forged Host header must not end up in a password reset mail)."""
    return settings.SITE_URL + path


def with_html(message):
    """Give a text-only message an HTML alternative: its own `*_message.html`
    where there is one, otherwise the text itself, links made clickable, in
    the site's e-mail frame (templates/emails/base.html)."""
    if isinstance(message, EmailMultiAlternatives) and not message.alternatives:
        html = render_to_string(
            "emails/base.html", {"subject": message.subject, "body": message.body}
        )
        message.attach_alternative(html, "text/html")
    return message


def send(template_prefix: str, to: list[str], context: dict) -> None:
    """Our own e-mails (invitations, join requests): `<prefix>_subject.txt`,
    `<prefix>_message.txt` and, if present, `<prefix>_message.html`."""
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", context).split())
    body = render_to_string(f"{template_prefix}_message.txt", context).strip()
    message = EmailMultiAlternatives(
        settings.EMAIL_SUBJECT_PREFIX + subject, body, settings.DEFAULT_FROM_EMAIL, to
    )
    try:
        message.attach_alternative(
            render_to_string(f"{template_prefix}_message.html", context), "text/html"
        )
    except TemplateDoesNotExist:
        pass
    with_html(message).send()


def send_after_commit(template_prefix: str, to: list[str], context, *, on_failure=None) -> None:
    """`send` once the current transaction has committed. A failure never undoes
    or breaks what was done: it is logged and `on_failure()` (if given) is called,
    e.g. to tell the user through a message. `context` may be a callable, so that
    nothing is rendered for a transaction that rolls back."""

    def deliver():
        try:
            send(template_prefix, to, context() if callable(context) else context)
        except Exception:  # SMTPException, OSError, BadHeaderError, a template error...
            logger.exception("Could not send %s to %s", template_prefix, ", ".join(to))
            if on_failure is not None:
                on_failure()

    transaction.on_commit(deliver)
