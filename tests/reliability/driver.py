"""A sync process for the crash tests: ``python -m tests.reliability.driver`` reads its job
from the environment, runs it to the end and prints ``done``; the test kills it midway.

Environment: ``DRIVER_DATABASE_URL``, ``DRIVER_POS_URL``, ``DRIVER_WEB_URL``, ``DRIVER_KEY``,
``DRIVER_SECRET``, ``DRIVER_MODE`` (``first_link`` or ``orders``) and ``DRIVER_CLOCK_AHEAD_S``
(how far this process's clock runs ahead: a restart that happens "later").
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime, timedelta

import httpx

from storage import repo
from storage.engine import Database
from sync.clients import make_pos_client, make_web_client
from sync.context import SyncContext
from sync.engine import first_link, run_cycle
from sync.orders import push_orders

MAX_ROUNDS = 50


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main() -> int:
    env = os.environ
    ahead = timedelta(seconds=float(env.get("DRIVER_CLOCK_AHEAD_S", "0")))

    def clock() -> datetime:
        return datetime.now(UTC) + ahead

    db = Database(env["DRIVER_DATABASE_URL"])
    key, secret = env["DRIVER_KEY"], env["DRIVER_SECRET"]
    pos = make_pos_client(
        env["DRIVER_POS_URL"], api_key=key, api_secret=secret, transport=httpx.HTTPTransport()
    )
    web = make_web_client(
        env["DRIVER_WEB_URL"], api_key=key, api_secret=secret, transport=httpx.HTTPTransport()
    )
    with db.session() as s:
        conn = repo.ensure_connection(
            s,
            name="crash",
            pos_url=env["DRIVER_POS_URL"],
            web_url=env["DRIVER_WEB_URL"],
            now=clock(),
        )
        s.commit()
        assert conn.id is not None
        ctx = SyncContext(db, conn.id, pos, web, clock)
    _say("started")
    for number in range(MAX_ROUNDS):
        if env["DRIVER_MODE"] == "first_link":
            with db.session() as s:
                set_up = repo.get_setup(s, connection_id=ctx.connection_id) is not None
            result = run_cycle(ctx, actor="driver") if set_up else first_link(ctx, actor="driver")
            _say(f"round {number} writes={result.writes} ok={result.ok}")
            if result.ok and result.writes == 0:
                break
        else:
            orders = push_orders(ctx, actor="driver")
            _say(f"round {number} counts={orders.counts}")
            if not orders.outcomes:
                break
    else:
        _say("never quiet")
        return 1
    _say("done")
    pos.close()
    web.close()
    db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
