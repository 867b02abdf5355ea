from reintegra.instruments.tests.conftest import shipped  # noqa: F401  (the fixture)
