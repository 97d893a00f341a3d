"""python -m bench.sign_in --base URL [--repeat R]: sign-in as a person feels it, in Chromium.

For each role (an agent, a customer) and each of R fresh browsers: open /account, type the address
and the password, click "Sign in", and time the click to the role's home heading being drawn
("home") and to Streamlit being idle ("idle": no run in progress, nothing stale). Needs a running
server with the demo data (`make run`) and the customer account below (`python -m core create-user
--email dora.bench@example.com --role customer --name "Dora Bench" --password-stdin`), nothing else
loading the machine. (Wrong passwords are timed server-side by bench.accounts: here the limits on
failed sign-ins would slow them on purpose.) See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CASES = (("agent", "ana@mesa.example", "mesa-agent-demo", "Workbench"),
         ("customer", "dora.bench@example.com", "dora's bench passphrase", "My tickets"))


def _idle(page) -> None:
    page.locator("[data-testid='stStatusWidget']").wait_for(state="detached", timeout=30_000)
    page.wait_for_function("!document.querySelector('[data-stale=\"true\"]')", timeout=30_000)


def one(browser, base: str, email: str, password: str, heading: str) -> tuple[float, float]:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(base + "/account")
    page.get_by_role("button", name="Sign in").first.wait_for()
    page.wait_for_timeout(1500)
    _idle(page)
    page.get_by_role("textbox", name="Email").first.fill(email)
    page.get_by_label("Password", exact=True).first.fill(password)
    start = time.perf_counter()
    page.get_by_role("button", name="Sign in").first.click()
    page.get_by_role("heading", name=heading).wait_for()
    drawn = time.perf_counter() - start
    page.wait_for_timeout(100)
    _idle(page)
    idle = time.perf_counter() - start
    context.close()
    return drawn, idle


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sign_in", description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://localhost:8501")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    print("| sign-in | click to home drawn (median) | click to idle (median) | runs |\n|---|---:|---:|---:|")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for name, email, password, heading in CASES:
            one(browser, args.base, email, password, heading)  # warm the page's code paths once, untimed
            runs = [one(browser, args.base, email, password, heading) for _ in range(args.repeat)]
            drawn, idle = (statistics.median(r[i] for r in runs) for i in (0, 1))
            print(f"| {name} | {drawn * 1000:.0f} ms | {idle * 1000:.0f} ms | {len(runs)} |", flush=True)
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
