"""Checks the documentation's references: every section cited as §N in docs/*.md and README.md
is a section of docs/cim-numerics.md, and every relative Markdown link resolves to a file of
the repository. Prints each broken reference and exits 1 when there is one."""
import glob
import os
import re
import sys

root = sys.argv[1]
contract = open(os.path.join(root, "docs", "cim-numerics.md"), encoding="utf-8").read()
sections = {int(n) for n in re.findall(r"^## (\d+)\.", contract, re.M)}
broken = []
for path in sorted(glob.glob(os.path.join(root, "docs", "*.md"))) + [os.path.join(root, "README.md")]:
    text = open(path, encoding="utf-8").read()
    name = os.path.relpath(path, root)
    for cited in re.findall(r"§(\d+)", text):
        if int(cited) not in sections:
            broken.append(f"{name}: §{cited} is not a section of docs/cim-numerics.md")
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue  # a URL or an anchor on the same page
        file = target.split("#")[0]
        if not os.path.exists(os.path.join(os.path.dirname(path), file)):
            broken.append(f"{name}: the link {target} names no file")
print("\n".join(broken) if broken else f"sections {sorted(sections)}; every reference resolves")
sys.exit(1 if broken else 0)
