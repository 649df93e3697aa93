"""Pages of the cmdb app: a person's own profile."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import reverse_lazy
from django.views.generic import UpdateView

from cmdb.models import User


class ProfileView(LoginRequiredMixin, UpdateView):
    """A person's own settings: which notifications they want."""

    model = User
    fields = ["notify_non_major"]
    template_name = "registration/profile.html"
    success_url = reverse_lazy("profile")

    def get_object(self, queryset=None):
        return self.request.user

    def form_valid(self, form):
        messages.success(self.request, "Your notification settings are saved.")
        return super().form_valid(form)
