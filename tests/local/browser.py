"""Headless Chromium for the playground's tests, driven by Selenium through chromium-driver.

Both come from Debian's packages (`chromium`, `chromium-driver`), installed by
`scripts/setup --browser` (CI runs it); pip never downloads a browser. Without them a developer's
run skips the browser tests and says how to install them; CI (CI=true) fails instead, since a
skipped browser test there would hide a missing install step.
"""

from __future__ import annotations

import os
import shutil

import pytest

BROWSERS = ("chromium", "chromium-browser")
DRIVER = "chromedriver"
INSTALL_HINT = "install them with: ./scripts/setup --browser  (apt-get install chromium chromium-driver)"


def executables() -> tuple[str, str]:
    """(browser, driver) paths; skips the test, or fails it in CI, when either is missing."""
    browser = next((path for path in map(shutil.which, BROWSERS) if path), None)
    driver = shutil.which(DRIVER)
    if browser and driver:
        return browser, driver
    missing = ", ".join(name for name, path in (("chromium", browser), ("chromedriver", driver)) if not path)
    message = f"the browser tests need {missing}; {INSTALL_HINT}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def chromium(width: int = 1400, height: int = 900):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser, driver = executables()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={width},{height}", "--lang=en-US"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(driver), options=options)
