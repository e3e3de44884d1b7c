"""The import contracts (``[tool.importlinter]`` in pyproject.toml, run by ``make lint``) see the
whole project: every top-level package is a root package, and every app has its layer."""

import tomllib
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]
NOT_CHECKED = {"tests", "bench"}


def _config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def test_every_project_package_is_a_root_package_of_the_contracts() -> None:
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py")} - NOT_CHECKED
    assert packages == set(_config()["root_packages"])


def test_every_installed_app_of_the_project_has_a_layer() -> None:
    layers = next(contract for contract in _config()["contracts"] if contract["type"] == "layers")["layers"]
    names = {name.strip().strip("()") for layer in layers for name in layer.split("|")}
    local_apps = {app.name for app in apps.get_app_configs() if (ROOT / app.name / "__init__.py").exists()}
    assert local_apps <= names
    assert {"feedback", "helpdesk", "royalty"} <= names  # the apps to come, optional until they exist
