"""The playground in a real browser (headless Chromium), as a new user tries the bot: build a
campaign, watch its progress, add a player, look through that player's and a stranger's eyes,
approve the stranger's request to join in the GM channel, then undo the build.

With CHANNELWRIGHT_SCREENSHOTS=<dir> the test also saves the README's screenshots there
(scripts/screenshots).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.local.browser import chromium
from tests.local.conftest import start_serve

NAME = "Curse of Strahd"
WAIT_S = 60
GM_ONLY = {"gm-notes", "gm-planning"}


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    driver = chromium()  # skips (or fails in CI) before anything starts when there is no browser
    served = start_serve(tmp_path_factory.mktemp("playground") / "serve.log", "--fast-retries")
    try:
        driver.get(served.url + "/")
        yield Page(driver, served)
    finally:
        driver.quit()
        served.stop()


class Page:
    def __init__(self, driver, served):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import Select

        self.driver, self.served, self.By, self.Select = driver, served, By, Select
        self.info = served.get("/local/info").json()
        self.until(lambda: driver.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true")

    def until(self, check, timeout: float = WAIT_S, what: str = "the page"):
        from selenium.common.exceptions import StaleElementReferenceException

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                result = check()
            except StaleElementReferenceException:  # redrawn while being read
                result = None
            if result:
                return result
            time.sleep(0.05)
        pytest.fail(f"{what} did not happen in {timeout} s; the page shows:\n"
                    f"{self.driver.find_element(self.By.TAG_NAME, 'body').text}\n"
                    f"serve's log:\n{self.served.output()[-3000:]}")

    def css(self, selector: str):
        return self.driver.find_elements(self.By.CSS_SELECTOR, selector)

    def act_as(self, name: str) -> None:
        self.Select(self.css("#acting-as")[0]).select_by_visible_text(name)
        self.until(lambda: self.css("#acting-as")[0].get_attribute("value") ==
                   self.member_id(name), what=f"acting as {name}")
        self.until(lambda: self.css("#channels")[0].get_attribute("data-viewer") == self.member_id(name),
                   what=f"the server drawn as {name} sees it")

    def member_id(self, name: str) -> str:
        return {"game-master": self.info["gm_id"], "player": self.info["player_id"],
                "newcomer": self.info["newcomer_id"]}[name]

    def run(self, command: str, **options: str) -> None:
        self.Select(self.css("#command")[0]).select_by_value(command)
        for name, value in options.items():
            field = self.css(f'#options .option[data-name="{name}"] input, '
                             f'#options .option[data-name="{name}"] select')[0]
            if field.tag_name == "select":
                self.Select(field).select_by_visible_text(value)
            else:
                field.clear()
                field.send_keys(value)
        self.css("#send")[0].click()

    def press(self, label: str) -> None:
        """Click the button `label` on a message (found again if the list was redrawn meanwhile)."""
        def click() -> bool:
            buttons = [b for b in self.css("#messages .message .buttons button") if b.text == label]
            if buttons:
                buttons[0].click()
            return bool(buttons)
        self.until(click, what=f"pressing {label}")

    def messages(self) -> list[str]:
        return [m.text for m in self.css("#messages .message")]

    def channels(self) -> dict[str, list[str]]:
        """Category name ("" for none) -> the channel names the sidebar lists under it."""
        out = {}
        for category in self.css("#channels .category"):
            title = category.find_elements(self.By.CSS_SELECTOR, ".category-name")
            name = title[0].text.strip("▾ 🔒") if title else ""
            out[name] = [c.get_attribute("data-name") for c in category.find_elements(self.By.CSS_SELECTOR, ".channel")]
        return out

    def screenshot(self, name: str) -> None:
        folder = os.environ.get("CHANNELWRIGHT_SCREENSHOTS")
        if folder:
            self.driver.save_screenshot(str(Path(folder) / name))


def test_a_new_user_builds_watches_adds_a_player_sees_as_them_and_undoes(page):
    # Enough latency that the progress is there to be seen (each Discord request waits 0.1 s).
    page.css("#latency")[0].clear()
    page.css("#latency")[0].send_keys("0.1")
    page.css("#apply-trouble")[0].click()
    page.until(lambda: "latency 0.1 s" in page.css("#trouble-status")[0].text, what="latency applied")

    page.run("add-campaign", name=NAME)
    progress = page.until(lambda: next((t for t in page.messages() if "█" in t and "Creating Campaign" in t), None),
                          what="a progress bar")
    assert f"game-master used /add-campaign name:{NAME}" in progress
    page.screenshot("playground-progress.png")
    summary = page.until(lambda: next((t for t in page.messages() if f"Campaign ready: {NAME}" in t), None),
                         what="the summary")
    assert "**" not in summary, "markdown is rendered, not shown raw"
    assert page.css("#messages .message strong"), "bold text is drawn bold"
    assert "Undo" in [b.text for b in page.css("#messages .message .buttons button")]
    sidebar = page.until(lambda: page.channels().get(NAME.upper()) or page.channels().get(NAME),
                         what="the campaign's category in the sidebar")
    assert GM_ONLY <= set(sidebar) and "voice-chat" in sidebar
    page.until(lambda: any(li.text.startswith("0 duplicates: each of the 13 roles and channels")
                           for li in page.css("#narration li")), what="the duplicate check")
    page.screenshot("playground-built.png")

    # /add-player with a member picked from the list; the campaign name comes from autocomplete.
    page.Select(page.css("#command")[0]).select_by_value("add-player")
    campaign = page.css('#options .option[data-name="campaign"] input')[0]
    campaign.send_keys("curse")
    shown = page.until(lambda: [c.text for c in page.css("#choices li") if c.is_displayed()],
                       what="autocomplete")
    assert shown == [NAME]
    page.until(lambda: page.css("#choices li")[0].click() or True, what="picking the choice")
    assert campaign.get_attribute("value") == NAME
    page.Select(page.css('#options .option[data-name="user"] select')[0]).select_by_visible_text("player")
    page.css("#send")[0].click()
    added = page.until(lambda: next((t for t in page.messages() if "is now a player" in t), None),
                       what="the player added")
    assert "@player is now a player in Curse of Strahd" in added and "Only you can see this" in added
    assert "That isn't someone I can add" not in " ".join(page.messages())

    page.act_as("player")
    seen = page.until(lambda: page.channels().get(NAME.upper()) or page.channels().get(NAME),
                      what="the campaign as the player sees it")
    assert "voice-chat" in seen and "general" in seen
    assert not GM_ONLY & set(seen), "GM-only channels are hidden from players"
    assert not any("is now a player" in t for t in page.messages()), "the GM's ephemeral answer is theirs"
    player_row = [m for m in page.css("#members .member") if m.get_attribute("data-id") == page.info["player_id"]][0]
    assert f"{NAME} Players" in player_row.text
    page.screenshot("playground-player.png")

    page.act_as("newcomer")
    page.until(lambda: set(page.channels()) == {""}, what="the stranger's sidebar")
    assert page.channels()[""] == ["general"], "someone in no campaign sees only the public channel"

    # A join request posted in the GM channel: the newcomer asks, the GM presses Approve there.
    page.act_as("game-master")
    page.run("campaign-settings", name=NAME, joining="approval")
    page.until(lambda: any("/join-campaign asks its GMs" in t for t in page.messages()), what="approval on")
    page.act_as("newcomer")
    page.run("join-campaign", name=NAME)
    page.until(lambda: any("I asked Curse of Strahd's GMs" in t for t in page.messages()), what="the request sent")
    assert not any("asks to join" in t for t in page.messages()), "the newcomer can't view the GM channel"
    page.act_as("game-master")
    request = page.until(lambda: next((t for t in page.messages() if "@newcomer asks to join" in t), None),
                         what="the request in the GM channel")
    assert "posted in #gm-notes" in request
    page.press("Approve")
    page.until(lambda: any("@newcomer is now a player in Curse of Strahd. (approved by game-master)" in t
                           for t in page.messages()), what="the request updated after Approve")
    newcomer_row = [m for m in page.css("#members .member") if m.get_attribute("data-id") == page.info["newcomer_id"]][0]
    assert f"{NAME} Players" in newcomer_row.text

    page.press("Undo")
    page.until(lambda: set(page.channels()) == {""}, what="the category gone after Undo")
    page.until(lambda: any("Deleted" in t or "deleted" in t for t in page.messages()), what="the deletion reported")
