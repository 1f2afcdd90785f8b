"""Checks the documentation's references: every section cited as §N (each end of a range §2–§7
too) in docs/*.md and the READMEs is a section of docs/cim-numerics.md, and every relative
Markdown link outside code resolves to a file of the repository (a leading / is the
repository's root). Prints each broken reference and exits 1 when there is one."""
import glob
import os
import re
import sys

root = sys.argv[1]
contract = open(os.path.join(root, "docs", "cim-numerics.md"), encoding="utf-8").read()
sections = {int(n) for n in re.findall(r"^## (\d+)\.", contract, re.M)}
broken = []
pages = sorted(glob.glob(os.path.join(root, "docs", "*.md")))
pages += [os.path.join(root, "README.md"), os.path.join(root, "models", "README.md")]
for path in pages:
    text = open(path, encoding="utf-8").read()
    name = os.path.relpath(path, root)
    # Sections, also each end of a range (§2–§7, §2–7).
    for first, last in re.findall(r"§(\d+)(?:\s*[–-]\s*§?(\d+))?", text):
        for cited in filter(None, (first, last)):
            if int(cited) not in sections:
                broken.append(f"{name}: §{cited} is not a section of docs/cim-numerics.md")
    # Links, outside code (fenced blocks and inline code spans).
    prose = re.sub(r"`[^`\n]*`", "", re.sub(r"```.*?```", "", text, flags=re.S))
    for target in re.findall(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)", prose):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue  # a URL or an anchor on the same page
        file = target.split("#")[0]
        base = root if file.startswith("/") else os.path.dirname(path)
        if not os.path.exists(os.path.join(base, file.lstrip("/"))):
            broken.append(f"{name}: the link {target} names no file")
print("\n".join(broken) if broken else f"sections {sorted(sections)}; every reference resolves")
sys.exit(1 if broken else 0)
