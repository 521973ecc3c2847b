"""Take the README's screenshots (docs/dashboard.png, docs/rep-page.png) from a running demo.

Run by hand after a change that alters what the pages look like; tests never write docs/.

    make run                       # or any server with the demo seeded (seed_demo)
    .venv/bin/python scripts/screenshots.py --url http://127.0.0.1:8000

The Chinese pictures (docs/dashboard-zh-hans.png, docs/rep-page-zh-hans.png), best from the
Chinese demo (Chinese names and companies), whose users are already in Chinese:

    make run SEED_LOCALE=zh-hans   # on an empty database (or: seed_demo --flush --locale zh-hans)
    .venv/bin/python scripts/screenshots.py --url http://127.0.0.1:8000 --language zh-hans

``--language`` asks for the pages in that language as a browser set to it would
(Accept-Language); a user who saved another language keeps theirs, so the script checks the
page's ``lang`` and stops if it is not the one asked for.

Signs in as the demo's North region manager, shoots the dashboard, then the page of the riskiest
rep on it (the first high-risk row: the dashboard sorts by risk, highest first, after the reps
serving notice), once its charts are drawn.
Needs Chromium (``RELAY_CHROMIUM``, default /usr/bin/chromium) and the playwright package.
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def _shoot(page, path: Path, args: argparse.Namespace) -> None:
    """The top of the page down to ``--height``: a README picture of a 7,000 px table reads
    as nothing."""
    tall = page.evaluate("document.documentElement.scrollHeight")
    clip = {"x": 0, "y": 0, "width": args.width, "height": min(tall, args.height)}
    page.screenshot(path=str(path), full_page=True, clip=clip)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the running demo")
    parser.add_argument("--user", default="manager.north")
    parser.add_argument("--password", default="relay-demo")
    parser.add_argument("--out", type=Path, default=DOCS, help="folder for the PNG files")
    parser.add_argument("--width", type=int, default=1366)
    parser.add_argument(
        "--height", type=int, default=1800, help="most of a long page a picture shows (px)"
    )
    parser.add_argument(
        "--language",
        choices=["en", "zh-hans"],
        default=None,
        help="the pages in this language; the files get its code (dashboard-zh-hans.png)",
    )
    args = parser.parse_args(argv)
    suffix = f"-{args.language}" if args.language and args.language != "en" else ""
    browser_locale = {"zh-hans": "zh-CN", "en": "en-GB"}.get(args.language or "")

    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("RELAY_CHROMIUM", "/usr/bin/chromium")
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(
            base_url=args.url.rstrip("/"),
            viewport={"width": args.width, "height": 900},
            **({"locale": browser_locale} if browser_locale else {}),
        )
        page.goto("/login/")
        page.fill("input[name=username]", args.user)
        page.fill("input[name=password]", args.password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        if "/login/" in page.url:
            print(f"Could not sign in as {args.user} at {args.url}: is the demo seeded?")
            return 1

        page.goto("/dashboard/")
        page.wait_for_selector("#band-history-chart .main-svg", timeout=30_000)
        page.wait_for_timeout(500)  # plotly's responsive redraw
        shown = page.locator("html").get_attribute("lang")
        if args.language and shown != args.language:
            print(
                f"The pages are in {shown!r}, not {args.language!r}: {args.user} saved another "
                "language (switch it in the header, or seed the demo with --locale)."
            )
            return 1
        dashboard = args.out / f"dashboard{suffix}.png"
        _shoot(page, dashboard, args)

        rows = page.locator("#dashboard-table tbody tr[data-band=high]")
        if not rows.count():
            rows = page.locator("#dashboard-table tbody tr")
        rows.first.locator("td:first-child a").click()
        page.wait_for_selector("#score-chart .main-svg", timeout=30_000)
        page.wait_for_selector("#signals-chart .main-svg", timeout=30_000)
        page.wait_for_timeout(500)
        rep_page = args.out / f"rep-page{suffix}.png"
        _shoot(page, rep_page, args)
        browser.close()
    for path in (dashboard, rep_page):
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
