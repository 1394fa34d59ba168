"""What every engine function needs: the database, the connection, both APIs and a clock."""

from __future__ import annotations

from dataclasses import dataclass

from storage.engine import Database
from sync.clock import Clock
from sync.guard import DEFAULT_GUARD, Guard
from sync.ports import PosApi, WebApi


@dataclass(frozen=True, slots=True)
class SyncContext:
    db: Database
    connection_id: int
    pos: PosApi
    web: WebApi
    clock: Clock
    # Admin base URLs (no trailing slash) for "View on Sapo POS / Web" links (R14).
    pos_admin_url: str = ""
    web_admin_url: str = ""
    # The blast-radius guard every cycle of this shop runs under (SYNC_GUARD_SHARE, ...).
    guard: Guard = DEFAULT_GUARD
