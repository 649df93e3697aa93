from tests.customers.conftest import sold  # noqa: F401  (the sold impact graph fixture)
