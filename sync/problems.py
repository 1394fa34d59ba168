"""Product sync problems as error rows (R19): one per fingerprint, resolved when gone."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from storage import repo
from storage.engine import Session
from storage.models import SyncErrorRow
from sync.context import SyncContext
from sync.errors import UserError
from sync.plan import Problem
from sync.texts import msg

log = logging.getLogger(__name__)
KIND = "product"


@dataclass(frozen=True, slots=True)
class Reported:
    """What one cycle did to the error list."""

    opened: tuple[int, ...]  # ids of rows that are new or reopened
    resolved: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Dismissal:
    error_id: int
    subject: str
    code: str
    changed: bool
    actor: str
    at: datetime


def report(
    session: Session,
    *,
    connection_id: int,
    problems: Iterable[Problem],
    now: datetime,
) -> list[SyncErrorRow]:
    """Open or bump one row per problem; a dismissed problem that persists stays dismissed."""
    unique = {repo.fingerprint(p.kind, p.subject, p.code): p for p in problems}
    known = repo.errors_by_fingerprint(session, connection_id=connection_id, fingerprints=unique)
    opened: list[SyncErrorRow] = []
    for key, problem in unique.items():
        row = known.get(key)
        if row is not None and row.dismissed_at is not None and row.resolved_at is None:
            continue  # someone dismissed it; it returns only after it has gone away once
        row, new = repo.record_error(
            session,
            connection_id=connection_id,
            kind=problem.kind,
            subject=problem.subject,
            code=problem.code,
            message=problem.message,
            now=now,
            params=problem.params,
        )
        if new:
            opened.append(row)
    return opened


def resolve_missing(
    session: Session,
    *,
    connection_id: int,
    seen: Iterable[Problem],
    scope: frozenset[str] | None,
    now: datetime,
) -> list[SyncErrorRow]:
    """Resolve product rows not seen this cycle; ``scope`` limits it to subjects looked at.

    A full cycle passes ``scope=None``: everything it did not see again is gone.
    """
    keys = {repo.fingerprint(p.kind, p.subject, p.code) for p in seen}
    resolved: list[SyncErrorRow] = []
    for row in repo.unresolved_errors(session, connection_id=connection_id, kind=KIND):
        if row.fingerprint in keys or (scope is not None and row.subject not in scope):
            continue
        row.resolved_at = now
        repo.save(session, row=row)
        resolved.append(row)
    return resolved


def held_subjects(session: Session, *, connection_id: int) -> frozenset[str]:
    """Casefolded subjects with an unresolved problem: an incremental cycle creates none."""
    rows = repo.unresolved_errors(session, connection_id=connection_id, kind=KIND)
    return frozenset(row.subject.casefold() for row in rows)


def dismiss(ctx: SyncContext, error_id: int, *, actor: str) -> Dismissal:
    """Hide an error from the list (R19); idempotent and audited."""
    now = ctx.clock()
    with ctx.db.session() as session:
        row = repo.get_error(session, connection_id=ctx.connection_id, error_id=error_id)
        if row is None:
            said = msg("no_such_error", error_id=error_id)
            raise UserError(f"there is no error #{error_id}", said=said)
        changed = row.dismissed_at is None
        if changed:
            row.dismissed_at, row.dismissed_by = now, actor
            repo.save(session, row=row)
        repo.add_audit(
            session,
            connection_id=ctx.connection_id,
            actor=actor,
            action="error.dismiss",
            subject=row.subject,
            result="dismissed" if changed else "unchanged",
            now=now,
            detail={"error_id": error_id, "code": row.code},
        )
        session.commit()
        log.info(
            "error.dismiss id=%d code=%s changed=%s actor=%s", error_id, row.code, changed, actor
        )
        return Dismissal(error_id, row.subject, row.code, changed, actor, now)
