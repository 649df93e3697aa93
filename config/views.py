"""The site root: customer contacts start at the support portal, everyone else at the catalog."""

from django.shortcuts import redirect

from customers.cases import contact_of


def home(request):
    return redirect("support:status" if contact_of(request.user) else "catalog:index")
