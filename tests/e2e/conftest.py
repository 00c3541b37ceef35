"""pytest fixtures for the end-to-end suite (run it with tests/e2e/run.sh)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import App, World, artifacts_dir  # noqa: E402
from sts_double import StsDouble  # noqa: E402
from tray import Tray  # noqa: E402
from webdriver import driver_ready  # noqa: E402


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _failed(request) -> bool:
    return any(getattr(request.node, f"rep_{when}", None) is not None and getattr(request.node, f"rep_{when}").failed
               for when in ("setup", "call"))


@pytest.fixture(scope="session")
def tray():
    t = Tray()
    yield t
    t.close()


@pytest.fixture(scope="session")
def webdriver_url():
    url = os.environ.get("ROLEBAR_E2E_WEBDRIVER_URL", "http://127.0.0.1:4444")
    if not driver_ready(url):
        pytest.fail(f"no WebDriver server (tauri-driver) answers on {url}: run the suite with tests/e2e/run.sh")
    return url


@pytest.fixture
def make_world(request):
    """`make_world(sts_url=None)`: a fresh World (STS = moto unless told otherwise)."""
    worlds: list[World] = []

    def make(sts_url: str | None = None) -> World:
        w = World(request.node.name, sts_url=sts_url)
        worlds.append(w)
        return w

    yield make
    for w in worlds:
        if _failed(request) or os.environ.get("ROLEBAR_TEST_KEEP_TMP") == "1":
            print(f"\n[e2e] kept the test's HOME: {w.dir}")
        else:
            w.cleanup()


@pytest.fixture
def world(make_world):
    return make_world()


@pytest.fixture
def sts_double():
    double = StsDouble().start()
    yield double
    double.stop()


@pytest.fixture
def launch(request, tray, webdriver_url):
    """`launch(world, **extra_env)` starts the app; it is stopped (and on failure every window
    and the screen are photographed) when the test ends. `expect_tray=False`: no tray item to
    wait for (an app started with no tray host); `webdriver=False`: no window process started by
    the driver (the tray starts its own, `ROLEBAR_WINDOW_BIN`)."""
    apps: list[App] = []

    def start(w: World, *, expect_tray: bool = True, webdriver: bool = True, **extra_env) -> App:
        app = App(w, tray, webdriver_url, extra_env={k: str(v) for k, v in extra_env.items()},
                  expect_tray=expect_tray, webdriver=webdriver)
        apps.append(app)
        return app

    yield start
    failed = _failed(request)
    for app in apps:
        if failed:
            shots = []
            try:
                shots = app.screenshot_all("failure")
            except Exception as e:  # noqa: BLE001
                print(f"[e2e] screenshots failed: {e!r}")
            print(f"\n[e2e] {app.log_tail(60)}")
            try:
                print(f"[e2e] {app.item.render() if app.item else 'no tray item'}")
            except Exception:  # noqa: BLE001
                pass
            for shot in shots:
                print(f"[e2e] screenshot: {shot}")
        app.stop()
        print(f"[e2e] app stderr log: {app.log}")


def pytest_collection_modifyitems(config, items):
    """The harness's own checks first: a broken watcher or driver then fails fast and plainly."""
    items.sort(key=lambda item: 0 if item.fspath.basename == "test_infra.py" else 1)


def pytest_report_header(config):
    return [f"rolebar e2e artifacts: {artifacts_dir()}"]


def pytest_terminal_summary(terminalreporter):
    from harness import FIGURES

    if FIGURES:
        terminalreporter.section("figures")
        for line in FIGURES:
            terminalreporter.write_line(line)
