"""What every console journey uses: log in through the login screen, run axe-core, save a
screenshot. The fixtures (``browser``, ``new_page``) are in ``conftest.py``."""
from __future__ import annotations

import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "console" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(os.environ.get("CONSOLE_SCREENSHOTS", ROOT / "var" / "screenshots"))
DEMO_PASSWORD = "Demo@2026"
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def login(page, phone: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the login screen; wait until the person's home has loaded."""
    page.goto("/login")
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login" not in url)


def axe(page, *, rules: dict | None = None, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core on the page as it is; fail on violations of the given impacts. ``rules``
    switches rules on or off (e.g. the AAA ``color-contrast-enhanced`` on for 长辈模式)."""
    # a settled screen: colours mid-transition (e.g. a tag fading to its theme colour) would be
    # judged at a contrast they never keep
    # (two frames first: a transition of an element just drawn starts on the next frame, and
    # is not among the animations before it has started)
    for _ in range(2):
        page.evaluate("""() => new Promise((r) => requestAnimationFrame(() =>
            requestAnimationFrame(r)))""")
        page.evaluate("""() => Promise.all(document.getAnimations()
            .filter((a) => a.effect && a.effect.getTiming().iterations !== Infinity)
            .map((a) => a.finished.catch(() => null)))""")
    page.add_script_tag(path=str(AXE))
    options = {"resultTypes": ["violations"]}
    if rules:
        options["rules"] = {name: {"enabled": on} for name, on in rules.items()}
    result = page.evaluate("async (options) => await axe.run(document, options)", options)
    bad = [v for v in result["violations"] if v["impact"] in impacts]
    assert not bad, json.dumps(
        [{"id": v["id"], "impact": v["impact"], "help": v["help"],
          "nodes": [n["target"] for n in v["nodes"][:5]]} for v in bad],
        ensure_ascii=False, indent=1)
    return result["violations"]


def shot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
