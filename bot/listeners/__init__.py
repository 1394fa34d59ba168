"""Bolt listeners: each module has ``register(app, deps)``; they ack first, then work."""
