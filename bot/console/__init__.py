"""The bot's commands and buttons in a terminal, through the same listeners as Slack."""
