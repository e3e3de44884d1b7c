"""Browser tests: Playwright driving Debian's Chromium against pytest-django's ``live_server``.

- Never downloads a browser: ``/usr/bin/chromium`` (``apt-get install chromium``) or the tests skip
  with the reason. Playwright 1.65 expects Chrome 159 and Debian ships an older one; fine so far.
- ``live_server`` needs ``django_db(transaction=True)``: the server thread has its own connection.
  Those tests flush the database afterwards, which also removes the staff groups that a data
  migration created, so ``staff_groups`` recreates them before each test.
- Every test saves a full-page screenshot of the page it is about (``screenshot()``), named after
  the test, in ``tests/e2e/screenshots/``; a failed test also saves what the browser showed then.
"""

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

# Playwright's sync API runs an event loop in this thread; Django's ORM then refuses to run in it.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
# Generous waits: CI machines run the suite on 2 busy cores, and a flaky gate is worse than a slow one.
TIMEOUT_MS = 15_000
expect.set_options(timeout=TIMEOUT_MS)
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    e2e_dir = Path(__file__).resolve().parent
    for item in items:
        if e2e_dir in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.e2e)
            if not CHROMIUM.exists():
                item.add_marker(
                    pytest.mark.skip(
                        reason=f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium); "
                        "the browser tests never download one"
                    )
                )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def staff_groups(transactional_db: None) -> None:
    """The staff groups with their permissions (every app's ``roles.py``), as the data migrations make them."""
    from django.contrib.auth.models import Group, Permission

    from accounts.services.roles import role_permissions

    for group_name, permission_names in role_permissions().items():
        group, _ = Group.objects.get_or_create(name=group_name)
        wanted = []
        for name in permission_names:
            app_label, codename = name.split(".")
            wanted.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)


def _screenshot_name(request: pytest.FixtureRequest) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    report = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report


CALL_FAILED = pytest.StashKey[bool]()


@pytest.fixture
def screenshot(request: pytest.FixtureRequest, page: Page) -> Callable[[], Path]:
    """``screenshot()`` saves the page, full length, as ``screenshots/<test name>.png``."""

    def take() -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{_screenshot_name(request)}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(autouse=True)
def screenshot_on_failure(request: pytest.FixtureRequest, page: Page) -> Iterator[None]:
    """Generous timeouts on every page; and a failed browser test also leaves ``<test name>-failure.png``,
    what the browser showed then.
    It depends on ``page`` so that it is torn down (and shoots) before the page is closed."""
    page.set_default_timeout(TIMEOUT_MS)
    yield
    if request.node.stash.get(CALL_FAILED, False):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{_screenshot_name(request)}-failure.png"), full_page=True)
