"""HTTP Basic authentication for /api/now/, as ServiceNow clients (PySNC) send it."""

from django.conf import settings
from rest_framework.authentication import BasicAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed


class HTTPSBasicAuthentication(BasicAuthentication):
    """HTTP Basic, refused over plain HTTP unless DEBUG: the password would travel in clear.

    Behind a TLS-terminating proxy, DJANGO_BEHIND_PROXY makes request.is_secure() trust its
    X-Forwarded-Proto header.
    """

    www_authenticate_realm = "Runstage"

    def authenticate(self, request):
        if settings.DEBUG or request.is_secure():
            return super().authenticate(request)
        header = get_authorization_header(request).split()
        if header and header[0].lower() == b"basic":
            raise AuthenticationFailed(
                "Basic authentication needs HTTPS: over plain HTTP the password would travel in clear."
            )
        return None
