"""POST /api/v1/auth/token/: DRF's token login, with the same brute-force protection as the pages."""

from django.contrib.auth.signals import user_logged_in
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle


class ObtainTokenView(ObtainAuthToken):
    """Issue a token for a user name and password.

    Axes counts the attempt through authenticate() (see core.lockout); requests are also throttled
    per address by the "token" rate of REST_FRAMEWORK's DEFAULT_THROTTLE_RATES.
    """

    # AllowAny rather than DRF's empty list, so that the schema says no credentials are needed.
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    def get_serializer_context(self):
        # Axes marks a locked-out attempt on the request given to authenticate(), and AxesMiddleware
        # looks for that mark on Django's request; DRF's wrapper would keep it to itself.
        return {**super().get_serializer_context(), "request": self.request._request}

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        token, _created = Token.objects.get_or_create(user=user)
        # A token login is a login: say so, which also makes Axes reset the failures (AXES_RESET_ON_SUCCESS).
        user_logged_in.send(sender=type(user), request=request._request, user=user)
        return Response({"token": token.key})
