#!/usr/bin/env python3
"""Checks the structural rules of docs/architecture.md on the source tree.

- no source file in core/, ui/, app/ over MAX_FILE_LINES lines;
- no function there over MAX_FUNCTION_LINES lines (measured with universal-ctags, body included);
- core/ includes no Widgets or Gui header and nothing from ui/;
- code, tests and docs cite only documents inside the repository, and no issue names.

An exception is a row of the table under "## Exceptions to the size rules" in
docs/architecture.md whose first cell is `path` (a file) or `path:function`, with the reason in
the next cell. Exit 0 when every rule holds, 1 with one line per finding otherwise.
"""
import pathlib
import re
import subprocess
import sys

MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 80
SOURCE_DIRS = ("core", "ui", "app")
REFERENCE_DIRS = ("core", "ui", "app", "tests", "docs", "scripts", "packaging", "cmake")
REFERENCE_FILES = ("README.md", "CONTRIBUTING.md", "CMakeLists.txt")
# Documents that live outside the repository, and issue names (G1, G12 ...): a reader with only
# the repository cannot follow them. docs/protocol.md and docs/architecture.md are in the
# repository and are cited with their folder.
FOREIGN_REFERENCE = re.compile(
    r"seed-lifecycle|house-style|ux-notes|shared/|provider\.lifecycle|\bG[0-9]{1,2}\b|"
    r"\.md [A-D][0-9]")
# Outside docs/, the repository's own protocol and architecture pages are cited with their folder.
BARE_DOC_REFERENCE = re.compile(r"(?<!docs/)\b(protocol|architecture)\.md")
WIDGETS_INCLUDE = re.compile(r'#\s*include\s*[<"](Q(Widget|Abstract(Item)?View|Application|GuiApplication|Painter|'
                             r'Pixmap|Icon|Color|Font)\b|QtWidgets|QtGui|ui/)')


def exceptions(root):
    doc = root / "docs" / "architecture.md"
    allowed = set()
    if not doc.exists():
        return allowed
    in_section = False
    for line in doc.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            in_section = line.strip().lower().startswith("## exceptions to the size rules")
            continue
        m = re.match(r"\|\s*`([^`]+)`\s*\|\s*\S", line) if in_section else None
        if m:
            allowed.add(m.group(1))
    return allowed


def sources(root, dirs, suffixes):
    for d in dirs:
        for path in sorted((root / d).rglob("*")):
            if path.is_file() and path.suffix in suffixes:
                yield path


def function_lengths(path):
    out = subprocess.run(["ctags", "--fields=+ne", "--kinds-C++=f", "--language-force=C++", "-o", "-",
                          str(path)], capture_output=True, text=True, check=True).stdout
    for row in out.splitlines():
        fields = row.split("\t")
        attrs = dict(f.split(":", 1) for f in fields[3:] if ":" in f)
        if "line" in attrs and "end" in attrs:
            yield fields[0], int(attrs["line"]), int(attrs["end"]) - int(attrs["line"]) + 1


def main():
    root = pathlib.Path(__file__).resolve().parent.parent
    allowed = exceptions(root)
    findings = []
    for path in sources(root, SOURCE_DIRS, {".cpp", ".h"}):
        rel = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n")
        if lines > MAX_FILE_LINES and rel not in allowed:
            findings.append(f"{rel}: {lines} lines (limit {MAX_FILE_LINES})")
        if path.suffix == ".cpp" or path.name.endswith("_p.h") or path.suffix == ".h":
            for name, line, length in function_lengths(path):
                if length > MAX_FUNCTION_LINES and f"{rel}:{name}" not in allowed:
                    findings.append(f"{rel}:{line}: function {name} is {length} lines (limit {MAX_FUNCTION_LINES})")
        if rel.startswith("core/"):
            for n, l in enumerate(text.splitlines(), 1):
                if WIDGETS_INCLUDE.search(l):
                    findings.append(f"{rel}:{n}: core includes a GUI header: {l.strip()}")
    texts = list(sources(root, REFERENCE_DIRS, {".cpp", ".h", ".md", ".txt", ".sh", ".py", ".js", ".json",
                                                ".cmake", ".in", ".service", ".1", ".yml", ".yaml"}))
    texts += [root / f for f in REFERENCE_FILES if (root / f).exists()]
    for path in texts:
        rel = path.relative_to(root).as_posix()
        if "/node_modules/" in rel or rel.endswith("package-lock.json") or rel == "scripts/check-structure.py":
            continue
        for n, l in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if FOREIGN_REFERENCE.search(l) or (not rel.startswith("docs/") and BARE_DOC_REFERENCE.search(l)):
                findings.append(f"{rel}:{n}: cites something outside the repository: {l.strip()[:120]}")
    for f in findings:
        print(f)
    print(f"check-structure: {len(findings)} finding(s)")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
