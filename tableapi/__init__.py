"""ServiceNow's REST Table API (/api/now/) over Runstage's tables, so PySNC and existing integrations work.

A protocol layer beside `config`: it reads the one table -> model mapping of the importer
(`cmdb.servicenow.registry`) and writes through the apps' own validation and domain services.
"""
