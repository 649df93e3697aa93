"""Import and export of ServiceNow Table API data (`{"result": [...]}` files, one per table)."""

from cmdb.servicenow.tables import TABLES

__all__ = ["TABLES"]
