"""Logging set-up: one handler, secrets redacted, and it outlives a swapped stderr.

(tests/conftest.py removes the handler after each test.)"""

from __future__ import annotations

import io
import logging
import sys

import pytest

from bot.logs import REDACTED, configure_logging


def test_records_go_to_stderr_as_it_is_now_not_as_it_was_at_set_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A command run in-process under a stream that is closed afterwards (click's test
    runner, the console) must not leave later records failing on a closed file."""
    first = io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    configure_logging("INFO", secrets=["xoxb-very-secret-token"])
    first.close()
    later = io.StringIO()
    monkeypatch.setattr(sys, "stderr", later)
    logging.getLogger("sapo.test").info("cycle done token=%s", "xoxb-very-secret-token")
    text = later.getvalue()
    assert "cycle done" in text and REDACTED in text
    assert "xoxb-very-secret-token" not in text
    configure_logging("INFO")
    assert [h.get_name() for h in logging.getLogger().handlers].count("sapo-sync") == 1
