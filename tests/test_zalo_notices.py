"""Subscribers' notices on Zalo within the OA's rules: free replies inside the 48-hour window go first, the rest
spend the monthly quota, and past it a notice is held (kept, sent once its follower writes) or skipped, with the
reason; none vanishes. The policy's pure functions first, then the connector over real HTTP (fake Zalo OpenAPI)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import time
from typing import Any, Dict

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from connectors import inbox
from connectors.rasa_client import RasaClient
from connectors.zalo_quota import (FREE, HOLD, QUOTA, SKIP, Recipient, ZaloNoticePolicy, decide, in_window,
                                   month_start)
from connectors.zalo_webhook import create_app
from knowledge import admin, notices
from knowledge import subscriptions as subs
from knowledge.models import NoticeSend, OutboundMessage
from test_zalo_webhook import (APP_ID, eventually, now_ms, post_event, rasa, zalo,  # noqa: F401 (fixtures)
                               zalo_settings)

NOW = dt.datetime(2025, 6, 15, 12, 0)


def recipient(outbound_id: int, address: str, hours_ago: float = None, replies: int = 0) -> Recipient:
    at = NOW - dt.timedelta(hours=hours_ago) if hours_ago is not None else None
    return Recipient(outbound_id, address, at, f"m-{address}" if at else None, replies)


# --- the policy ---------------------------------------------------------------------------------------------------

def test_notices_inside_the_free_window_go_first_then_the_quota_then_the_rest_are_held_with_the_reason():
    queue = [recipient(1, "a", hours_ago=72), recipient(2, "b", hours_ago=200), recipient(3, "c", hours_ago=2),
             recipient(4, "d", hours_ago=None), recipient(5, "e", hours_ago=47.9)]
    decisions = decide(queue, quota_used=0, now=NOW, policy=ZaloNoticePolicy(monthly_quota=2, over_quota=HOLD))
    assert [(d.outbound_id, d.action) for d in decisions] == [(3, FREE), (5, FREE), (1, QUOTA), (2, QUOTA),
                                                              (4, HOLD)]
    assert decisions[0].reply_to == "m-c" and decisions[2].reply_to is None
    assert decisions[-1].reason == ("Zalo: the follower never wrote to the OA and the monthly quota of 2 used up "
                                    "for 2025-06; held until the follower writes or the quota renews")


def test_over_the_quota_a_skipping_policy_gives_notices_up_with_the_reason():
    queue = [recipient(1, "a", hours_ago=50), recipient(2, "b", hours_ago=60)]
    decisions = decide(queue, quota_used=5, now=NOW, policy=ZaloNoticePolicy(monthly_quota=5, over_quota=SKIP))
    assert [d.action for d in decisions] == [SKIP, SKIP]
    assert decisions[0].reason.startswith("Zalo: outside the 48-hour free window and the monthly quota of 5")
    assert decisions[0].reason.endswith("skipped by policy")


def test_the_eighth_reply_in_a_window_is_the_last_free_one():
    policy = ZaloNoticePolicy(monthly_quota=0)
    assert in_window(recipient(1, "a", hours_ago=1, replies=7), NOW, policy)
    assert not in_window(recipient(1, "a", hours_ago=1, replies=8), NOW, policy)
    assert not in_window(recipient(1, "a", hours_ago=48), NOW, policy)  # the window is 48 hours, not more
    # Two notices for one follower with one free reply left: the second waits.
    decisions = decide([recipient(1, "a", hours_ago=1, replies=7), recipient(2, "a", hours_ago=1, replies=7)],
                       0, NOW, policy)
    assert [d.action for d in decisions] == [FREE, HOLD]
    assert "the 8 free replies of the window are used" in decisions[1].reason


def test_the_quota_month_is_the_calendar_month_in_vietnam():
    # 31 May 18:00 UTC is already 1 June in Vietnam (UTC+7).
    assert month_start(dt.datetime(2025, 5, 31, 18, 0)) == dt.datetime(2025, 5, 31, 17, 0)
    assert month_start(dt.datetime(2025, 5, 31, 16, 0)) == dt.datetime(2025, 4, 30, 17, 0)


def test_a_policy_other_than_hold_or_skip_is_refused():
    with pytest.raises(ValueError, match="hold or skip"):
        ZaloNoticePolicy(over_quota="drop")


@given(hours=st.lists(st.one_of(st.none(), st.floats(0, 400)), max_size=30),
       replies=st.lists(st.integers(0, 12), min_size=30, max_size=30),
       quota=st.integers(0, 10), used=st.integers(0, 12), over=st.sampled_from([HOLD, SKIP]))
def test_every_notice_gets_exactly_one_decision_and_the_quota_is_never_exceeded(hours, replies, quota, used, over):
    queue = [recipient(i, f"u{i % 4}", h, replies[i]) for i, h in enumerate(hours)]
    decisions = decide(queue, used, NOW, ZaloNoticePolicy(monthly_quota=quota, over_quota=over))
    assert sorted(d.outbound_id for d in decisions) == list(range(len(queue)))
    assert sum(d.action == QUOTA for d in decisions) <= max(quota - used, 0)
    assert all(d.reason for d in decisions if d.action in (HOLD, SKIP))
    actions = [d.action for d in decisions]
    assert actions == sorted(actions, key=lambda a: a != FREE)  # free ones first


# --- the connector ------------------------------------------------------------------------------------------------

@pytest.fixture
def start(aiohttp_client, tmp_path, kb_engine, zalo, rasa):
    async def _start(policy: ZaloNoticePolicy, **settings: Any):
        url = str(rasa.server.make_url(""))
        base = dataclasses.replace(zalo_settings(tmp_path, zalo), notices=policy, notice_interval_s=0.05,
                                   **settings)
        return await aiohttp_client(create_app(base, kb_engine, lambda session: RasaClient(url, session, timeout=5)))
    return _start


def wrote(engine, user: str, hours_ago: float, msg_id: str = None) -> None:
    """The follower's message to the OA, ``hours_ago``, answered in one part."""
    msg_id = msg_id or f"m-{user}-{hours_ago}"
    stamp = int((time.time() - hours_ago * 3600) * 1000)
    row = inbox.store(engine, "zalo", msg_id, user, "câu hỏi", {"kind": "text", "reply_to": msg_id,
                                                                "timestamp_ms": stamp})
    inbox.mark_sending(engine, row, 0, [{"text": "trả lời"}])
    inbox.mark_part_sent(engine, row, 0, True)


def notice_rows(engine) -> Dict[str, OutboundMessage]:
    with engine.connect() as conn:
        return {r.address: r for r in conn.execute(select(OutboundMessage).where(
            OutboundMessage.id.in_(select(NoticeSend.outbound_id))))}


def change_the_kb(engine) -> None:
    record = admin.show_provision(engine, "ct-035")
    admin.edit_provision(engine, "ct-035", {"text": record["text"] + " Áp dụng từ năm 2026."}, by="lan")


async def test_in_window_notices_go_free_one_more_spends_the_quota_and_the_rest_wait_for_their_follower(
        start, zalo, kb_engine):
    for user, hours in (("100", 2.0), ("200", 72.0), ("300", 96.0)):
        wrote(kb_engine, user, hours)
        subs.subscribe(kb_engine, "zalo", user, "bhyt", "can-tho")
    change_the_kb(kb_engine)
    await start(ZaloNoticePolicy(monthly_quota=1, over_quota=HOLD))
    await eventually(lambda: {a: r.status for a, r in notice_rows(kb_engine).items()}
                     == {"100": "sent", "200": "sent", "300": "held"})
    recipients = [b["recipient"] for b in zalo.sent]
    assert recipients == [{"user_id": "100", "message_id": "m-100-2.0"}, {"user_id": "200"}]  # free one first
    assert "quota of 1 used up" in notice_rows(kb_engine)["300"].last_error
    with kb_engine.connect() as conn:
        billed = conn.execute(select(NoticeSend.address).where(NoticeSend.billed == 1)).scalars().all()
    assert billed == ["200"]
    notices.refresh_counts(kb_engine)
    [shown] = notices.broadcasts(kb_engine)
    assert {k: shown[k] for k in ("queued", "sent", "held", "skipped_quota", "failed")} == \
        {"queued": 3, "sent": 2, "held": 1, "skipped_quota": 0, "failed": 0}
    # The held notice goes out, free, once its follower writes again.
    wrote(kb_engine, "300", 0.0, msg_id="m-300-now")
    await eventually(lambda: notice_rows(kb_engine)["300"].status == "sent")
    assert zalo.sent[-1]["recipient"] == {"user_id": "300", "message_id": "m-300-now"}
    assert len(zalo.sent) == 3


async def test_over_the_quota_a_skipping_oa_gives_the_notice_up_and_the_broadcast_counts_it(start, zalo, kb_engine):
    wrote(kb_engine, "200", 72.0)
    subs.subscribe(kb_engine, "zalo", "200", "bhyt")
    change_the_kb(kb_engine)
    await start(ZaloNoticePolicy(monthly_quota=0, over_quota=SKIP))
    await eventually(lambda: getattr(notice_rows(kb_engine).get("200"), "status", None) == "skipped")
    assert "skipped by policy" in notice_rows(kb_engine)["200"].last_error
    assert zalo.sent == []
    notices.refresh_counts(kb_engine)
    assert notices.broadcasts(kb_engine)[0]["skipped_quota"] == 1


async def test_a_follower_zalo_says_left_the_oa_is_unsubscribed(start, zalo, kb_engine):
    wrote(kb_engine, "100", 1.0)
    subs.subscribe(kb_engine, "zalo", "100", "bhyt")
    change_the_kb(kb_engine)
    zalo.script = [-201]
    await start(ZaloNoticePolicy())
    await eventually(lambda: getattr(notice_rows(kb_engine).get("100"), "status", None) == "failed")
    assert subs.list_for(kb_engine, "zalo", "100") == []


async def test_unfollowing_the_oa_removes_the_subscriptions(start, kb_engine):
    subs.subscribe(kb_engine, "zalo", "777", "bhyt")
    subs.subscribe(kb_engine, "zalo", "778", "bhyt")
    client = await start(ZaloNoticePolicy())
    unfollow = {"event_name": "unfollow", "app_id": APP_ID, "oa_id": "579745863508352884",
                "follower": {"id": "777"}, "source": "oa_profile", "timestamp": now_ms()}
    assert (await post_event(client, unfollow)).status == 200
    assert subs.list_for(kb_engine, "zalo", "777") == []
    assert subs.list_for(kb_engine, "zalo", "778") == [subs.Followed("bhyt", None)]


def test_the_zalo_notice_settings_come_from_the_environment_and_bad_values_name_their_variable():
    from config.settings import Settings
    from connectors.zalo_main import notice_policy

    env = {"ZALO_NOTICE_MONTHLY_QUOTA": "300", "ZALO_FREE_WINDOW_HOURS": "24", "ZALO_FREE_REPLIES": "",
           "ZALO_NOTICE_OVER_QUOTA": "Skip"}
    assert notice_policy(Settings.from_env(env)) == ZaloNoticePolicy(monthly_quota=300, free_window_hours=24.0,
                                                                     free_replies=8, over_quota=SKIP)
    assert notice_policy(Settings.from_env({})) == ZaloNoticePolicy()
    for name, value in (("ZALO_NOTICE_MONTHLY_QUOTA", "-1"), ("ZALO_FREE_REPLIES", "2.5"),
                        ("ZALO_FREE_WINDOW_HOURS", "two days"), ("ZALO_NOTICE_OVER_QUOTA", "drop")):
        with pytest.raises(SystemExit, match=name):
            Settings.from_env({name: value})
