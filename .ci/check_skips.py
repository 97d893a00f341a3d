"""Fail when a test that needs a real service (PostgreSQL, Dovecot IMAP, Chromium, nginx, the app servers) was skipped:
CI runs them all."""

import sys
import xml.etree.ElementTree as ET

NEEDS = {"PostgreSQL": lambda c: "postgres" in (c.get("name") or ""),
         "Dovecot IMAP": lambda c: "test_imap" in (c.get("classname") or ""),
         "nginx in front of the app": lambda c: "tests.e2e.test_proxy" in (c.get("classname") or ""),
         "Two app servers on PostgreSQL": lambda c: "tests.faults.test_two_apps" in (c.get("classname") or ""),
         "Browser journey": lambda c: "tests.e2e.test_journeys" in (c.get("classname") or "")
         or "tests.e2e.test_guards" in (c.get("classname") or "")
         or "tests.e2e.test_attacks" in (c.get("classname") or "")}

cases = list(ET.parse(sys.argv[1]).getroot().iter("testcase"))
failed = False
for service, needs in NEEDS.items():
    mine = [c for c in cases if needs(c)]
    skipped = [f"{c.get('classname')}::{c.get('name')}" for c in mine if c.find("skipped") is not None]
    ran = len(mine) - len(skipped)
    print(f"{service} tests ran: {ran}, skipped: {len(skipped)}")
    for name in skipped[:20]:
        print("  skipped: " + name, file=sys.stderr)
    failed |= bool(skipped) or ran == 0
sys.exit(1 if failed else 0)
