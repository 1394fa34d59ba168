"""The application: Slack listeners, Block Kit builders, alerts, CLI, settings."""
