"""``python -m bot`` is the same as the ``sapo-sync`` command."""

from bot.cli import main

main()
