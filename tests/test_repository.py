"""Facts about the repository itself that nothing else checks."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_comments_cite_test_files_that_exist() -> None:
    cited = set()
    for path in (ROOT / "src").rglob("*.py"):
        for name in re.findall(r"tests/(test_\w+\.py)", path.read_text(encoding="utf-8")):
            cited.add(name)
            assert (ROOT / "tests" / name).is_file(), f"{path} cites tests/{name}"
    assert cited  # the check reaches something


def test_readme_and_docs_link_only_inside_the_repository() -> None:
    for doc in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        text = doc.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#]+)", text):
            if target.startswith(("http://", "https://")):
                continue
            assert (doc.parent / target).exists(), f"{doc.name} links to missing {target}"
        assert "../shared" not in text, f"{doc.name} points outside the repository"
