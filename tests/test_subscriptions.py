"""Residents' subscriptions: one row per (channel, address, topic, locality), keys checked against the catalogue,
unsubscribing deletes the address, and the dashboard sees counts only."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from knowledge import subscriptions as subs
from knowledge.db import transaction
from knowledge.errors import InvalidChange, NotFound
from knowledge.models import Subscription


def addresses(engine):
    with engine.connect() as conn:
        return conn.execute(select(Subscription.channel, Subscription.address, Subscription.topic_key,
                                   Subscription.locality_key).order_by(Subscription.id)).all()


def test_subscribing_twice_keeps_one_subscription_and_says_the_second_was_not_new(kb_engine):
    assert subs.subscribe(kb_engine, "telegram", "42", "bhyt", "can-tho") is True
    assert subs.subscribe(kb_engine, "telegram", "42", "bhyt", "can-tho") is False
    assert subs.subscribe(kb_engine, "telegram", "42") is True  # everything, everywhere
    assert subs.subscribe(kb_engine, "telegram", "42") is False
    assert addresses(kb_engine) == [("telegram", "42", "bhyt", "can-tho"), ("telegram", "42", None, None)]


def test_the_database_refuses_a_second_all_topics_row_for_the_same_address(kb_engine):
    # NULL is "all": a plain unique constraint would let two such rows in.
    subs.subscribe(kb_engine, "zalo", "8412345", None, "da-nang")
    with pytest.raises(IntegrityError):
        with transaction(kb_engine) as session:
            session.add(Subscription(channel="zalo", address="8412345", topic_key=None, locality_key="da-nang"))


def test_unknown_keys_channels_and_addresses_are_refused_in_vietnamese(kb_engine):
    with pytest.raises(NotFound, match="Không có chủ đề nào mã «bao-hiem»"):
        subs.subscribe(kb_engine, "telegram", "42", "bao-hiem")
    with pytest.raises(NotFound, match="Không có địa phương nào mã «ha-noi»"):
        subs.subscribe(kb_engine, "telegram", "42", None, "ha-noi")
    with pytest.raises(InvalidChange, match="Kênh «sms»"):
        subs.subscribe(kb_engine, "sms", "0901234567")
    with pytest.raises(InvalidChange, match="phải là một số"):
        subs.subscribe(kb_engine, "telegram", "@lan")
    with pytest.raises(InvalidChange, match="trống"):
        subs.subscribe(kb_engine, "webchat", "  ")
    assert addresses(kb_engine) == []


def test_an_address_lists_what_it_follows_in_the_order_it_subscribed(kb_engine):
    subs.subscribe(kb_engine, "webchat", "s-1", "hoc-phi", "da-nang")
    subs.subscribe(kb_engine, "webchat", "s-1", None, "can-tho")
    subs.subscribe(kb_engine, "webchat", "s-2", "bhyt")
    assert subs.list_for(kb_engine, "webchat", "s-1") == [subs.Followed("hoc-phi", "da-nang"),
                                                          subs.Followed(None, "can-tho")]
    assert subs.list_for(kb_engine, "telegram", "7") == []


def test_unsubscribing_one_pair_leaves_the_others_and_an_unfollowed_pair_is_not_found(kb_engine):
    subs.subscribe(kb_engine, "telegram", "42", "bhyt", "can-tho")
    subs.subscribe(kb_engine, "telegram", "42", "hoc-phi", "can-tho")
    assert subs.unsubscribe(kb_engine, "telegram", "42", "bhyt", "can-tho") == 1
    assert subs.list_for(kb_engine, "telegram", "42") == [subs.Followed("hoc-phi", "can-tho")]
    with pytest.raises(NotFound, match="chưa theo dõi"):
        subs.unsubscribe(kb_engine, "telegram", "42", "bhyt", "can-tho")


def test_unsubscribing_from_everything_deletes_the_address(kb_engine):
    subs.subscribe(kb_engine, "zalo", "8412345", "bhyt", "can-tho")
    subs.subscribe(kb_engine, "zalo", "8412345", None, None)
    subs.subscribe(kb_engine, "zalo", "555", "bhyt")
    assert subs.unsubscribe(kb_engine, "zalo", "8412345") == 2
    assert [row[1] for row in addresses(kb_engine)] == ["555"]
    assert subs.unsubscribe_all(kb_engine, "zalo", "555") == 1
    assert addresses(kb_engine) == []


def test_the_dashboard_counts_subscribers_by_topic_and_locality_without_addresses(kb_engine):
    for address in ("1", "2", "3"):
        subs.subscribe(kb_engine, "telegram", address, "bhyt", "can-tho")
    subs.subscribe(kb_engine, "zalo", "9", "bhyt", "can-tho")
    subs.subscribe(kb_engine, "zalo", "9")
    counts = subs.counts(kb_engine)
    assert counts == [{"topic": "bhyt", "locality": "can-tho", "subscribers": 4},
                      {"topic": None, "locality": None, "subscribers": 1}]
    assert all(set(row) == {"topic", "locality", "subscribers"} for row in counts)
