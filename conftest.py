"""Root conftest: pytest's own pytester for the plugin's tests."""

pytest_plugins = ["pytester"]
