"""Sync problems told in the configured language (R19, BOT_LANGUAGE): every surface that
shows one renders ``problem.<code>`` from its parameters, escaped, with the stored English
message as the fallback."""

from __future__ import annotations

from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest

from bot.alerts import AlertPublisher
from bot.i18n import Translator
from bot.main import slack_client
from bot.text import esc
from bot.views.alerts import AlertInfo, alert_message
from bot.views.problems import problem_plain, problem_text, told_in
from bot.views.status import home_view
from sandbox.seeds import DEMO_DUPLICATE_SKU, DEMO_NEGATIVE_SKU, DEMO_UNTRACKED_SKU
from storage import repo
from sync import engine
from sync.links import disconnect
from sync.plan import Problem
from sync.scheduler_jobs import record_result
from sync.status import JobStatus, StatusReport
from sync.texts import part, variant
from tests.bot.conftest import BotMaker
from tests.bot.data import T0, add_error
from tests.bot.harness import ADMIN, ALERTS, VIEWER, Harness, mrkdwn

EN, VI = Translator("en"), Translator("vi")
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
HOSTILE = "<!channel> `x`"
# English sentences of the demo shop's planted problems: none may show in Vietnamese
ENGLISH = (
    "is carried by",
    "share SKU",
    "inventory tracking is off",
    "web stock is negative",
    "has no usable SKU",
    "option structure differs",
    "will link in error",
    "(product ",
    ", variant ",
)


def _set_up(bot: Harness) -> None:
    """Setup recorded and one real cycle run, so the demo's planted problems are error rows."""
    ctx = bot.bot.deps.ctx
    with ctx.db.session() as session:
        repo.record_setup(
            session, connection_id=ctx.connection_id, cutover_at=ctx.clock(), completed_by="t"
        )
        session.commit()
    engine.run_cycle(ctx, actor="test")


@pytest.fixture
def vi_bot(make_bot: BotMaker) -> Iterator[Harness]:
    with make_bot(bot_language="vi") as harness:
        yield harness


# ------------------------------------------------------------ rendering, on plain data


def test_parameters_are_escaped_like_the_english_message_was() -> None:
    """A hostile SKU or name is inert in both languages; English reads as the message did."""
    params = {"variant": variant("web", HOSTILE, 5, 52, HOSTILE)}
    message = f"web '{HOSTILE}' (product 5, variant 52, SKU {HOSTILE!r}) has no usable SKU"
    english = problem_text(EN, "blank_sku", params, message)
    vietnamese = problem_text(VI, "blank_sku", params, message)
    inert = "&lt;!channel&gt; \u02cbx\u02cb"  # backticks become a look-alike
    for text in (english, vietnamese):
        assert "<!channel>" not in text and "`" not in text and inert in text
    assert english.startswith(esc(message))
    assert vietnamese.startswith(f"Web '{inert}' (sản phẩm 5, phiên bản 52, SKU ")
    assert "chưa có mã SKU dùng được" in vietnamese


def test_plain_text_is_left_unescaped_for_the_caller() -> None:
    """The plain form (notification fallback, terminal) is not escaped twice."""
    said = problem_plain(VI, "web_duplicate_sku", {"count": 2, "sku": "A&B"}, "2 web ...")
    assert said == "SKU 'A&B' bị trùng: 2 phiên bản trên web dùng chung mã này"


@pytest.mark.parametrize(
    ("code", "params"),
    [
        pytest.param("no_price", None, id="row-without-params"),
        pytest.param("unheard_of", {"sku": "X"}, id="unknown-code"),
        pytest.param("no_price", {}, id="missing-parameter"),
        pytest.param("blank_sku", {"variant": part("nope")}, id="unknown-fragment"),
        pytest.param("blank_sku", {"variant": {"name": "x"}}, id="fragment-without-key"),
    ],
)
def test_what_cannot_be_told_falls_back_to_the_stored_message(code: str, params: object) -> None:
    """Old rows, unknown codes and parameters that do not fit show the English message."""
    message = "POS has no price <here>"
    assert problem_text(VI, code, params, message) == esc(message)  # type: ignore[arg-type]
    assert told_in(VI, code, params, str) is None  # type: ignore[arg-type]


def test_nested_fragments_and_lists_are_worded_in_the_language() -> None:
    """Variants, option lists and "no options" are fragments with their own templates."""
    dup = {
        "sku": "MLT-DEN",
        "count": 2,
        "variants": [variant("pos", "Mũ", 1, 11, "MLT-DEN"), variant("web", "Mũ", 5, 51, None)],
    }
    assert problem_text(VI, "duplicate_sku", dup, "m") == (
        "SKU 'MLT-DEN' bị trùng ở 2 phiên bản: POS 'Mũ' (sản phẩm 1, phiên bản 11, SKU "
        "'MLT-DEN'); Web 'Mũ' (sản phẩm 5, phiên bản 51, SKU None)"
    )
    drift = {"pos": part("options", count=2, names="Màu, Size"), "web": part("no_options")}
    assert problem_text(VI, "structure_options", drift, "m") == (
        "Thuộc tính hai bên khác nhau: POS có 2 thuộc tính (Màu, Size), web không có thuộc tính nào"
    )
    assert problem_text(EN, "structure_options", drift, "m") == (
        "option structure differs: POS has 2 option(s) (Màu, Size), web has no options"
    )


def test_a_halted_job_is_told_with_the_words_of_the_problem_that_stopped_it() -> None:
    """job_failed nests the guard's problem: its sentence is translated too."""
    params = {
        "job": "catalog",
        "error": {"key": "blast_radius", "changed": 12, "live": 12, "share": "50%"},
    }
    said = problem_text(VI, "job_failed", params, "the catalog job failed: ...", 600)
    assert said.startswith("Tác vụ catalog bị lỗi: Lần đồng bộ này sẽ thay đổi")
    assert "12 trên 12" in said and "50%" in said


def test_app_home_tells_why_a_job_stopped_in_the_language() -> None:
    """A job halted by the guard shows the guard's sentence in Vietnamese on App Home."""
    halt = Problem(
        "blast_radius",
        "catalog",
        "this cycle would change or break 12 of 12 linked items ...",
        params={"changed": 12, "live": 12, "share": "50%"},
    )
    job = JobStatus("catalog", T0, T0, ok=False, last_error="halted: ...", last_cause=halt)
    report = StatusReport({}, {}, 0, 0, 0, T0, setup_done=True, jobs=(job,))
    text = mrkdwn(home_view(VI, report, TZ, admin=False))
    assert "Lần đồng bộ này sẽ thay đổi hoặc làm hỏng 12 trên 12" in text
    assert "halted" not in text and "this cycle" not in text


def test_alert_fallback_text_is_translated_and_escaped_once() -> None:
    """The notification text of an alert says the Vietnamese sentence, escaped once."""
    info = AlertInfo(
        error_id=1,
        kind="product",
        subject="A&B",
        code="web_duplicate_sku",
        message="2 web variants share SKU 'A&B'",
        count=1,
        first_seen=T0,
        last_seen=T0,
        params={"count": 2, "sku": "A&B"},
    )
    msg = alert_message(VI, info, TZ, "s")
    assert "SKU 'A&amp;B' bị trùng" in msg.text and "&amp;amp;" not in msg.text
    assert "share SKU" not in mrkdwn({"blocks": msg.blocks, "text": msg.text})


# ------------------------------------------------------------ the bot, on the demo shop


def test_preflight_in_vietnamese_names_the_planted_problems_in_vietnamese(
    vi_bot: Harness,
) -> None:
    """``/sapo preflight`` with BOT_LANGUAGE=vi: the findings are Vietnamese sentences (R1)."""
    _, report = vi_bot.answers(vi_bot.command("preflight", user=VIEWER), 2)
    text = mrkdwn(report.body)
    assert f"SKU '{DEMO_DUPLICATE_SKU}' bị trùng: 2 phiên bản trên web" in text
    assert "Phiên bản trên web chưa bật quản lý tồn kho" in text
    assert "Tồn kho trên web đang bị âm (-3)" in text
    assert "Phiên bản trên web chưa có mã SKU dùng được" in text
    assert DEMO_UNTRACKED_SKU in text and DEMO_NEGATIVE_SKU in text
    assert [e for e in ENGLISH if e in text] == []


def test_preflight_in_english_reads_as_before(bot: Harness) -> None:
    """With BOT_LANGUAGE=en the findings read exactly as the sync's English messages."""
    _, report = bot.answers(bot.command("preflight", user=VIEWER), 2)
    text = mrkdwn(report.body)
    assert f"2 web variants share SKU '{DEMO_DUPLICATE_SKU}'" in text
    assert "inventory tracking is off on the web variant" in text
    assert "web stock is negative (-3)" in text


def test_error_list_in_vietnamese_shows_vietnamese_reasons(vi_bot: Harness) -> None:
    """``/sapo errors`` after a cycle on the demo shop: each reason in Vietnamese (R19)."""
    _set_up(vi_bot)
    text = mrkdwn(vi_bot.answers(vi_bot.command("errors product"))[0].body)
    assert f"SKU '{DEMO_DUPLICATE_SKU}' bị trùng ở 3 phiên bản: POS '" in text
    assert "chưa có mã SKU dùng được" in text and "sẽ không được liên kết" in text
    assert "Phiên bản trên web chưa bật quản lý tồn kho" in text
    assert "Thuộc tính hai bên khác nhau: POS có 2 thuộc tính" in text
    assert [e for e in ENGLISH if e in text] == []


def test_error_list_in_english_shows_the_sync_messages(bot: Harness) -> None:
    """English stays as before: each row reads as its stored English message."""
    _set_up(bot)
    ctx = bot.bot.deps.ctx
    with ctx.db.session() as session:
        rows = list(repo.open_errors(session, connection_id=ctx.connection_id, kind="product"))
    text = mrkdwn(bot.answers(bot.command("errors product"))[0].body)
    shown = [r for r in rows[:10] if esc(r.message, 500) in text]
    assert rows and len(shown) == min(len(rows), 10)
    assert all(r.params is not None for r in rows)


def test_product_list_and_compare_tell_the_link_reason_in_vietnamese(vi_bot: Harness) -> None:
    """A link in error (R10) and a disconnected one (R15) give their reason in Vietnamese in
    ``/sapo products`` and ``/sapo compare``."""
    _set_up(vi_bot)
    disconnect(vi_bot.bot.deps.ctx, "QJSF-29", actor=ADMIN)
    listing = mrkdwn(vi_bot.answers(vi_bot.command("products APP-DEN-M"))[0].body)
    assert "Thuộc tính hai bên khác nhau: POS có 2 thuộc tính" in listing
    disconnected = mrkdwn(vi_bot.answers(vi_bot.command("products QJSF-29"))[0].body)
    assert f"{ADMIN} đã ngắt kết nối" in disconnected and "disconnected by" not in disconnected
    compared = mrkdwn(vi_bot.answers(vi_bot.command("compare APP-DEN-M", user=VIEWER))[0].body)
    assert "Thuộc tính hai bên khác nhau" in compared
    assert [e for e in ENGLISH if e in listing + compared] == []


def test_an_old_row_without_parameters_shows_its_message(vi_bot: Harness) -> None:
    """A row written before parameters existed shows its stored (English) message."""
    add_error(vi_bot.bot, kind="product", subject="MBH", code="no_price", message="old <text>")
    text = mrkdwn(vi_bot.answers(vi_bot.command("errors"))[0].body)
    assert "old &lt;text&gt;" in text


def test_alerts_in_vietnamese_tell_the_planted_problems_in_vietnamese(vi_bot: Harness) -> None:
    """Each alert-channel post (and a digest's sample) says the Vietnamese sentence."""
    _set_up(vi_bot)
    publisher = AlertPublisher(
        vi_bot.bot.deps.ctx,
        slack_client(vi_bot.bot.settings),
        channel=ALERTS,
        t=VI,
        tz=TZ,
        digest_at=100,
        pace_s=0,
    )
    assert publisher.publish().posted >= 4
    posts = {p.body["text"]: mrkdwn(p.body) for p in vi_bot.slack.channel_messages(ALERTS)}
    duplicate = next(text for fallback, text in posts.items() if DEMO_DUPLICATE_SKU in fallback)
    assert f"SKU '{DEMO_DUPLICATE_SKU}' bị trùng ở 3 phiên bản" in duplicate
    assert any("chưa bật quản lý tồn kho" in text for text in posts.values())
    assert [e for text in posts.values() for e in ENGLISH if e in text] == []


def test_a_digest_in_vietnamese_samples_a_vietnamese_sentence(vi_bot: Harness) -> None:
    """A storm of errors posts one digest; its samples are Vietnamese too."""
    _set_up(vi_bot)
    assert vi_bot.bot.alerts is not None
    assert vi_bot.bot.alerts.publish().digests == 1
    [digest] = vi_bot.slack.channel_messages(ALERTS)
    text = mrkdwn(digest.body)
    assert "bị trùng" in text or "Thuộc tính hai bên khác nhau" in text
    assert [e for e in ENGLISH if e in text] == []


def test_a_failed_job_row_is_told_in_vietnamese(vi_bot: Harness) -> None:
    """A scheduler job's failure row names the job and its error in the bot's language."""
    ctx = vi_bot.bot.deps.ctx
    record_result(ctx.db, ctx.connection_id, "orders", "RuntimeError: boom", ctx.clock())
    text = mrkdwn(vi_bot.answers(vi_bot.command("errors order"))[0].body)
    assert "Tác vụ orders bị lỗi: RuntimeError: boom" in text
