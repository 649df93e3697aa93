"""The foundation: people and organisations, configuration items, relationships, product models,
task numbers, and the ServiceNow-format importer and exporter.

It imports only `core`. One reference points upward, as a string: `Service.portfolio` is a foreign
key to "portfolio.PortfolioNode", because CSDM puts the portfolio on the service record itself
(ServiceNow's `cmdb_ci_service.portfolio`) and every service class inherits it. No cmdb code uses the
portfolio app; the portfolio node says how forms choose it (`PortfolioNode.choice_field_class`).
"""
