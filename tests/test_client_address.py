"""Throttles count per client address, also behind a reverse proxy."""

from django.test import RequestFactory

from config.middleware import client_address


def test_the_address_is_remote_addr_unless_a_proxy_is_trusted(settings):
    settings.TRUST_X_FORWARDED_FOR = False
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="10.0.0.2")
    assert client_address(request) == "10.0.0.2"


def test_behind_a_trusted_proxy_the_address_is_the_proxys_last_hop(settings):
    settings.TRUST_X_FORWARDED_FOR = True
    request = RequestFactory().get(
        "/", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9", REMOTE_ADDR="10.0.0.2"
    )
    assert client_address(request) == "203.0.113.9"
