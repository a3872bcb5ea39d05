"""Journal.subscribe: the kept calls since a number and every call recorded after, none twice, none missed;
a reader that falls behind loses its oldest calls, counted, and never slows the recording."""

from __future__ import annotations

from mockery.http.journal import Call, Journal


def call(path: str) -> Call:
    return Call("svc", "GET", path, "", {}, b"", "-", 404, 0.001)


def test_a_subscriber_gets_the_backlog_since_a_number_then_each_new_call() -> None:
    journal = Journal(size=3)
    for number in range(5):
        journal.record(call(f"/{number}"))
    told: list[int] = []
    subscription, backlog = journal.subscribe(lambda: told.append(1), since=3)
    assert [(number, c.path) for number, c in backlog] == [(3, "/3"), (4, "/4")]
    journal.record(call("/5"))
    journal.record(call("/6"))
    assert len(told) == 2
    assert [(number, c.path) for number, c in subscription.take()] == [(5, "/5"), (6, "/6")]
    assert subscription.take() == []
    # A number older than the journal keeps: what is still kept.
    _, older = journal.subscribe(lambda: None, since=0)
    assert [c.path for _, c in older] == ["/4", "/5", "/6"]


def test_without_since_there_is_no_backlog_and_unsubscribing_stops_the_calls() -> None:
    journal = Journal()
    journal.record(call("/before"))
    with journal.subscribe(lambda: None)[0] as subscription:
        assert subscription.take() == []
        journal.record(call("/during"))
    journal.record(call("/after"))
    assert [c.path for _, c in subscription.take()] == ["/during"]


def test_a_slow_subscriber_drops_its_oldest_calls_and_counts_them() -> None:
    journal = Journal()
    subscription, _ = journal.subscribe(lambda: None, size=2)
    for number in range(5):
        journal.record(call(f"/{number}"))
    assert subscription.dropped == 3
    assert [c.path for _, c in subscription.take()] == ["/3", "/4"]
    assert "3 dropped" in repr(subscription)
    # The journal itself kept every call.
    assert len(journal) == 5


def test_clear_keeps_the_numbers_going() -> None:
    journal = Journal()
    journal.record(call("/a"))
    journal.clear()
    subscription, backlog = journal.subscribe(lambda: None, since=0)
    assert backlog == []
    journal.record(call("/b"))
    assert [number for number, _ in subscription.take()] == [1]
