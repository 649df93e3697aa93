"""Product models: what a CI is an instance of."""

from django.db import models

from core.models import SysIdModel


class ProductModel(SysIdModel):
    """A product model of any kind (`cmdb_model`); `sys_class_name` names its concrete class."""

    name = models.CharField(max_length=255)
    sys_class_name = models.CharField("class", max_length=80, db_index=True, editable=False)
    manufacturer = models.ForeignKey(
        "cmdb.Company", null=True, blank=True, on_delete=models.SET_NULL, related_name="product_models"
    )
    model_number = models.CharField(max_length=100, blank=True)
    short_description = models.TextField(blank=True)
    status = models.CharField(max_length=40, default="In Production", blank=True)

    class Meta:
        db_table = "cmdb_model"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if type(self) is not ProductModel or not self.sys_class_name:
            self.sys_class_name = self._meta.db_table
        super().save(*args, **kwargs)


class ApplicationModel(ProductModel):
    """The model of an application service or business application."""

    class Meta:
        db_table = "cmdb_application_product_model"
        ordering = ["name"]


class ServiceModel(ProductModel):
    """The model of a business or technical service, or of a service offering."""

    class Meta:
        db_table = "cmdb_service_product_model"
        ordering = ["name"]


class SoftwareModel(ProductModel):
    """The model of a piece of software."""

    version = models.CharField(max_length=40, blank=True)

    class Meta:
        db_table = "cmdb_software_product_model"
        ordering = ["name"]
