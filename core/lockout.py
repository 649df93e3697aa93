"""Brute-force protection around every login (pages, admin, API token), with django-axes.

Axes counts failures per user name *and* address (AXES_LOCKOUT_PARAMETERS); after LOGIN_FAILURE_LIMIT
of them it refuses further tries for LOGIN_COOLOFF_MINUTES, a success resets the count, and an admin
unlocks by deleting the access attempts (admin "Access attempts", or `manage.py axes_reset_username`).
This module supplies what Axes leaves to the site: the client's address and the refusal itself.
"""

import math

from axes.helpers import get_cool_off
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or behind the TLS proxy (DJANGO_BEHIND_PROXY) the address the proxy appended last.

    Only the last X-Forwarded-For entry is the proxy's own observation; earlier ones are whatever the
    client sent, and trusting them would let a guesser pick a fresh address for every try.
    """
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR")


def lockout_response(request, original_response=None, credentials=None):
    """429 with Retry-After: DRF's error shape for the API, a page saying when to retry for people."""
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else None
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": f"Too many failed logins; try again in {minutes} minutes."}, status=429
        )
    else:
        response = render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
