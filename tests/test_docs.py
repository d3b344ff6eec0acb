"""The README documents every setting and gives exactly the two set-up commands CI runs."""

from __future__ import annotations

from pathlib import Path

from tender.config import KEYS

ROOT = Path(__file__).resolve().parent.parent


def test_readme_documents_every_key() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for key, (default, meaning) in KEYS.items():
        assert f"| `{key}` | {default} | {meaning} |" in readme, key


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = "pip install -e '.[test]' && python -m pytest"
    assert command in readme
    assert ci.rstrip().endswith(command)
    assert "pip install -e . && tender demo demo-campaign" in readme
