"""Runstage's admin for service owners; one module per topic, registered on import."""

from django.contrib import admin

from cmdb.admin import ci, foundation, product_models, relationships  # noqa: F401 (registers the admins)
from cmdb.admin.ci import ConfigurationItemAdmin, ServiceAdmin, generate_product_models

admin.site.site_header = "Runstage administration"
admin.site.site_title = "Runstage administration"
admin.site.index_title = "Service portfolio, offerings and CMDB"

__all__ = [
    "ConfigurationItemAdmin",
    "ServiceAdmin",
    "generate_product_models",
]
