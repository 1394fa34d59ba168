"""Pure Block Kit builders: plain data in, Slack payloads within Slack's limits out."""
