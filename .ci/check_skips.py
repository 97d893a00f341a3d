"""Fail when a test that needs PostgreSQL was skipped (CI must run them all)."""

import sys
import xml.etree.ElementTree as ET

root = ET.parse(sys.argv[1]).getroot()
cases = list(root.iter("testcase"))
skipped = [f"{c.get('classname')}::{c.get('name')}" for c in cases
           if c.find("skipped") is not None and "postgres" in (c.get("name") or "")]
ran = [c for c in cases if "postgres" in (c.get("name") or "") and c.find("skipped") is None]
if skipped or not ran:
    print(f"PostgreSQL tests skipped: {len(skipped)}; ran: {len(ran)}", file=sys.stderr)
    for name in skipped[:20]:
        print("  " + name, file=sys.stderr)
    sys.exit(1)
print(f"PostgreSQL tests ran: {len(ran)}, none skipped.")
