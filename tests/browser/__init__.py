"""Browser tests (a package, so its conftest does not take the module name `conftest` that
the other test files import helpers from)."""
