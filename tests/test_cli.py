"""The ``sapo-sync`` command line: its commands are listed, and bad options are usage errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main

COMMANDS = ("run", "demo", "sandbox", "preflight", "sync", "console", "db")


def _listed(help_text: str) -> set[str]:
    """The command names in click's "Commands:" section."""
    section = help_text.split("Commands:", 1)[1]
    return {line.split()[0] for line in section.splitlines() if line.startswith("  ")}


def test_help_lists_every_command() -> None:
    """`sapo-sync --help` names each job the product does."""
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert _listed(result.output) >= set(COMMANDS)


def test_python_dash_m_bot_is_the_same_command(tmp_path: Path) -> None:
    """`python -m bot --help` works (the module entry point) and lists the same commands."""
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert _listed(done.stdout) >= set(COMMANDS)


@pytest.mark.parametrize("seed", ["nope", "bench:", "bench:x", "bench:99999999"])
def test_an_unknown_sandbox_seed_is_a_usage_error(seed: str) -> None:
    """`sapo-sync sandbox --seed nope` says what seeds exist, exit 2, before serving anything."""
    result = CliRunner().invoke(main, ["sandbox", "--seed", seed, "--port", "0"])
    assert result.exit_code == 2, (result.output, result.exception)
    assert "Invalid value for '--seed'" in result.stderr
    assert "use demo, empty or bench:N" in result.stderr
    assert "Traceback" not in result.output
    assert "SAPO_POS_URL=" not in result.stdout  # nothing was served
