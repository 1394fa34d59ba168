"""Queries: errors (R19), config versions (R18) and the product list (R13)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from storage import repo
from storage.engine import session
from storage.models import ConfigVersion, Link
from sync.config import config_at
from sync.order_plan import before_cutover

T0 = datetime(2026, 3, 6, 3, 0, tzinfo=UTC)
CHANGE = datetime(2026, 3, 6, 4, 0, 0, 400_000, tzinfo=UTC)  # a save, to the microsecond


def _cid(engine: Engine) -> int:
    with session(engine) as s:
        conn = repo.ensure_connection(s, name="shop", pos_url="p", web_url="w", now=T0)
        s.commit()
        assert conn.id is not None
        return conn.id


def test_error_rows_count_repeats_and_reopen_after_resolution(engine: Engine) -> None:
    """One row per fingerprint: repeats bump the count and last_seen, keep first_seen; a
    resolved error that returns reopens."""
    cid = _cid(engine)
    args = {"connection_id": cid, "kind": "product", "subject": "ATB-M", "code": "structure"}
    with session(engine) as s:
        row, new = repo.record_error(s, message="option deleted", now=T0, **args)
        assert new
        row, new = repo.record_error(s, message="option deleted", now=T0 + timedelta(1), **args)
        assert not new and row.count == 2
        s.commit()
        with session(engine) as fresh:  # as stored, not as this session remembers it
            (stored,) = repo.open_errors(fresh, connection_id=cid)
            assert (stored.count, stored.first_seen, stored.last_seen) == (
                2,
                T0,  # R19: when it was first seen stays ...
                T0 + timedelta(1),  # ... and the last sighting moves forward
            )
        repo.resolve_errors(s, connection_id=cid, fingerprints=[row.fingerprint], now=T0)
        assert repo.open_errors(s, connection_id=cid) == []
        row, new = repo.record_error(s, message="again", now=T0 + timedelta(2), **args)
        assert new and row.count == 1 and row.resolved_at is None
        assert row.first_seen == row.last_seen == T0 + timedelta(2)  # a new episode
        s.commit()
        assert [e.subject for e in repo.open_errors(s, connection_id=cid, kind="product")] == [
            "ATB-M"
        ]


def test_error_rows_keep_the_parameters_of_their_latest_sighting(engine: Engine) -> None:
    """A row stores what its message is built from (nested, non-ASCII), replaced on each
    sighting; a row recorded without parameters keeps None, so it shows its message (R19)."""
    cid = _cid(engine)
    args = {"connection_id": cid, "kind": "product", "subject": "ÁO-1", "code": "blank_sku"}
    variant = {"key": "part.variant_web", "name": "Áo <b>", "product_id": 5, "sku": None}
    with session(engine) as s:
        repo.record_error(s, message="m", now=T0, params={"variant": variant}, **args)
        s.commit()
    with session(engine) as s:
        (row,) = repo.open_errors(s, connection_id=cid)
        assert row.params == {"variant": variant}
        repo.record_error(
            s, message="m", now=T0, params={"variant": {**variant, "sku": ""}}, **args
        )
        s.commit()
    with session(engine) as s:
        (row,) = repo.open_errors(s, connection_id=cid)
        assert row.params is not None and row.params["variant"]["sku"] == ""
        repo.record_error(s, message="m", now=T0, **{**args, "subject": "OLD"})
        s.commit()
        assert [e.params for e in repo.open_errors(s, connection_id=cid) if e.subject == "OLD"] == [
            None
        ]


def _version(cid: int, price_list: int, at: datetime) -> ConfigVersion:
    return ConfigVersion(
        connection_id=cid,
        version=0,
        price_list_id=price_list,
        order_location_id=1,
        stock_location_ids=[1],
        saved_by="U1",
        effective_from=at,
        created_at=at,
    )


def test_config_in_force_is_never_retroactive(engine: Engine) -> None:
    """A version applies from its effective time on; earlier moments keep the older one."""
    cid = _cid(engine)
    with session(engine) as s:
        repo.add_config_version(s, row=_version(cid, 10, T0))
        repo.add_config_version(s, row=_version(cid, 20, T0 + timedelta(hours=1)))
        s.commit()
        before = repo.config_at(s, connection_id=cid, moment=T0 + timedelta(minutes=59))
        after = repo.config_at(s, connection_id=cid, moment=T0 + timedelta(hours=2))
        assert before is not None and after is not None
        assert (before.price_list_id, before.version) == (10, 1)
        assert (after.price_list_id, after.version) == (20, 2)
        assert after.stock_location_ids == [1]


def test_an_order_stamped_in_a_changes_own_second_gets_the_new_config(engine: Engine) -> None:
    """R18 at Sapo's whole-second precision: a version saved at 04:00:00.400 governs an
    order created at 04:00:00, the rule the cut-over uses (R5); the latest save of that
    second wins, and an order of the second before keeps the older version."""
    cid = _cid(engine)
    with session(engine) as s:
        for price_list_id, at in (
            (10, T0),
            (20, CHANGE),
            (30, CHANGE + timedelta(milliseconds=300)),
        ):
            repo.add_config_version(s, row=_version(cid, price_list_id, at))
        s.commit()
    second = CHANGE.replace(microsecond=0)
    expected = {second - timedelta(seconds=1): 10, second: 30, second + timedelta(seconds=1): 30}
    with session(engine) as s:
        found = {}
        for created in expected:
            config = config_at(s, connection_id=cid, moment=created)
            assert config is not None
            found[created] = config.price_list_id
    assert found == expected
    # one rule for the cut-over and for a change: what counts as after setup counts as after
    assert {c: before_cutover(c, cutover=CHANGE) is None for c in expected} == {
        c: p != 10 for c, p in expected.items()
    }


def test_product_list_filters_and_hides_tombstones(engine: Engine) -> None:
    """Search by SKU or name, filter by status; deleted links never show (R13, R16)."""
    cid = _cid(engine)
    with session(engine) as s:
        for sku, name, status in [
            ("ATB-M", "Áo thun M", "linked"),
            ("ATB-L", "Áo thun L", "disconnected"),
            ("MU-01", "Mũ lưỡi trai", "deleted"),
        ]:
            repo.add_link(
                s,
                link=Link(
                    connection_id=cid,
                    sku=sku,
                    name=name,
                    status=status,
                    created_at=T0,
                    updated_at=T0,
                ),
            )
        s.commit()
        rows, total = repo.list_links(s, connection_id=cid, text="áo")
        assert total == 2 and [r.sku for r in rows] == ["ATB-L", "ATB-M"]
        rows, total = repo.list_links(s, connection_id=cid, status="disconnected")
        assert [r.sku for r in rows] == ["ATB-L"]
        rows, total = repo.list_links(s, connection_id=cid, text="MU")
        assert total == 0


def test_lock_link_makes_a_second_change_of_one_link_wait_and_see_the_first(
    engine: Engine,
) -> None:
    """Two admins changing one link at once: the second locker waits for the first to commit
    and then reads its status, so it never decides on (and audits) a state already gone."""
    cid = _cid(engine)
    with session(engine) as s:
        link = Link(
            connection_id=cid, sku="ATB-M", name="Áo", status="linked", created_at=T0, updated_at=T0
        )
        repo.add_link(s, link=link)
        s.commit()
    seen: list[str] = []
    first = session(engine)
    row = repo.lock_link(first, connection_id=cid, sku="ATB-M")
    assert row is not None and row.status == "linked"

    def second() -> None:
        with session(engine) as s:
            locked = repo.lock_link(s, connection_id=cid, sku="ATB-M")
            assert locked is not None
            seen.append(locked.status)
            s.commit()

    waiter = threading.Thread(target=second)
    waiter.start()
    waiter.join(timeout=0.5)  # bounded: it must still be waiting on the first's lock
    assert waiter.is_alive() and seen == [], "the second change did not wait for the first"
    row.status = "deleted"
    repo.save(first, row=row)
    first.commit()
    first.close()
    waiter.join(timeout=30)
    assert seen == ["deleted"]
