"""Checks that every field of cim-run reports is documented in docs/user-guide.md's table of
--report fields (cim-run-report-fields.test): report_fields.py USER_GUIDE REPORT.json..."""
import json
import re
import sys

guide = open(sys.argv[1], encoding="utf-8").read()
table = guide[guide.index("| field | what |"):]
table = table[:table.index("\n\n")]
rows = [line.strip().strip("|").split(" | ") for line in table.splitlines()[2:]]
documented = set()
layer_fields = set()
for row in rows:
    names = re.findall(r"`([a-z0-9_]+)`", row[0])
    documented.update(names)
    if names == ["layers"]:
        layer_fields.update(re.findall(r"`([a-z0-9_]+)`", row[1]))

missing = []
for path in sys.argv[2:]:
    report = json.load(open(path))
    missing += [f"{path}: {key}" for key in report if key not in documented]
    for layer in report.get("layers", []):
        missing += [f"{path}: layers[].{key}" for key in layer if key not in layer_fields]
        missing += [f"{path}: layers[].counters.{key}" for key in layer["counters"]
                    if key not in layer_fields]
if missing:
    sys.exit("undocumented report fields:\n  " + "\n  ".join(sorted(set(missing))))
print("all report fields documented")
