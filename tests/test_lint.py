"""The tree is formatted and linted by ruff with the rules of pyproject.toml; the test command enforces it."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _ruff() -> list[str]:
    found = Path(sys.executable).with_name("ruff")
    if found.exists():
        return [str(found)]
    on_path = shutil.which("ruff")
    if on_path is None:
        pytest.fail("ruff is not installed: it is one of the test extras (pip install -e '.[test]')")
    return [on_path]


@pytest.mark.parametrize("command", [["format", "--check", "--diff"], ["check", "--no-fix"]], ids=["format", "lint"])
def test_ruff_passes_over_the_tree(command: list[str]) -> None:
    result = subprocess.run([*_ruff(), *command, "."], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"ruff {' '.join(command)} found:\n{result.stdout}\n{result.stderr}"
