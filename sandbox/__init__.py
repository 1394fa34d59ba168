"""A local stand-in for the Sapo POS (core) and Sapo Web APIs, for tests, demos and benchmarks."""

from sandbox.server import Sandbox, serve
from sandbox.state import SandboxConfig, SandboxState

__all__ = ["Sandbox", "SandboxConfig", "SandboxState", "serve"]
