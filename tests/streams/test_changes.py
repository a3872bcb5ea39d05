"""The in-process pub/sub of resource writes and broadcasts: bounded per subscriber, weakly held, closed."""

from __future__ import annotations

import asyncio
import gc

from mockery.runtime.changes import MAX_FRAME_CHARS, Frames, Hub, broadcast_topic, resource_topic


def test_a_subscriber_that_does_not_read_keeps_only_the_newest_items() -> None:
    async def scene() -> tuple[list[object], int]:
        hub = Hub()
        subscription = hub.open((resource_topic("shop", "orders"),), size=3)
        for number in range(10):
            assert hub.publish(resource_topic("shop", "orders"), "create", {"id": number}) == 1
        got = []
        while (change := await subscription.get(timeout=0)) is not None:
            got.append(change.data)
        return got, subscription.dropped

    got, dropped = asyncio.run(scene())
    assert got == [{"id": 7}, {"id": 8}, {"id": 9}]
    assert dropped == 7


def test_topics_are_separate_and_a_closed_or_forgotten_subscription_gets_nothing() -> None:
    async def scene() -> tuple[int, int, int, list[str]]:
        hub = Hub()
        orders, feed = resource_topic("shop", "orders"), broadcast_topic("shop", "feed")
        both = hub.open((orders, feed))
        only_feed = hub.open((feed,))
        assert hub.publish(orders, "update", {"id": 1}) == 1
        assert hub.publish(feed, "broadcast", "hi") == 2
        hub.close(only_feed)
        after_close = hub.publish(feed, "broadcast", "again")
        forgotten = hub.open((orders,))
        del forgotten
        gc.collect()
        after_forgetting = hub.subscribers(orders)
        actions = []
        while (change := await both.get(timeout=0)) is not None:
            actions.append(change.action)
        return after_close, after_forgetting, hub.subscribers(feed), actions

    after_close, after_forgetting, feed_subscribers, actions = asyncio.run(scene())
    assert after_close == 1
    assert after_forgetting == 1  # only `both`: a subscription nobody holds is gone
    assert feed_subscribers == 1
    assert actions == ["update", "broadcast", "broadcast"]


def test_get_waits_for_an_item_or_gives_none_after_its_timeout() -> None:
    async def scene() -> tuple[object, object]:
        hub = Hub()
        subscription = hub.open(("t",))
        empty = await subscription.get(timeout=0.01)
        asyncio.get_running_loop().call_soon(hub.publish, "t", "broadcast", "late")
        change = await subscription.get(timeout=5)
        return empty, change.data if change else None

    assert asyncio.run(scene()) == (None, "late")


def test_the_frame_journal_is_bounded_and_counts_open_connections() -> None:
    frames = Frames()
    first = frames.connect("chat", "room", "/room")
    for number in range(1500):
        frames.record(first, "out", str(number))
    second = frames.connect("chat", "other", "/other")
    assert frames.connections() == 2
    assert frames.connections(route="room") == 1
    frames.disconnect(first, 1000)
    assert len(frames.frames) == 1000
    assert frames.frames[-1].as_json() == {
        "service": "chat",
        "route": "room",
        "connection": 1,
        "direction": "close",
        "data": "",
        "code": 1000,
    }
    assert [frame.connection for frame in frames.select(route="other")] == [second]
    frames.clear()
    assert frames.select() == []
    assert frames.connections() == 1


def test_the_journal_keeps_the_start_of_a_long_frame() -> None:
    frames = Frames()
    connection = frames.connect("chat", "room", "/room")
    frames.record(connection, "in", "x" * (MAX_FRAME_CHARS + 10))
    kept = frames.frames[-1].data
    assert kept == "x" * MAX_FRAME_CHARS + f"... ({MAX_FRAME_CHARS + 10} chars)"
