"""mta/socketmap.py and mta/netstring.py: Postfix's socketmap protocol, in process.

The answers come from the real routing rule (``domain.routing.route``) over fixed holders;
the database-backed service is exercised in tests/integration/test_socketmap_server.py.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable

import pytest

from ipfleet.domain.routing import Decision, Holder, SendingIp, route, sender_domain
from ipfleet.mta import netstring
from ipfleet.mta.socketmap import SocketmapServer, answer, decision_replies
from ipfleet.mta.socketmap_limits import Limits
from tests.support.stats import assert_uniform, chi_square

IPS = (
    SendingIp("127.0.0.2", "mta1", "a.example"),
    SendingIp("127.0.0.3", "mta1", None),
    SendingIp("127.0.0.4", "mta1", None),
    SendingIp("127.0.0.9", "mta2", None),
)
HOLDERS = {
    "acme.test": Holder("acme", "bob", True, IPS[:3], IPS),
    "gone.test": Holder("acme", "carol", False, IPS[:1], IPS),
    "elsewhere.test": Holder("acme", "dave", True, IPS[3:], IPS),
}


def decide(mta: str, sender: str) -> Decision:
    return route(sender, mta, HOLDERS.get(sender_domain(sender) or ""))


def ns(text: str | bytes) -> bytes:
    data = text.encode() if isinstance(text, str) else text
    return b"%d:%s," % (len(data), data)


async def read_reply(reader: asyncio.StreamReader) -> str:
    head = await reader.readuntil(b":")
    body = await reader.readexactly(int(head[:-1]) + 1)
    assert body.endswith(b",")
    return body[:-1].decode()


Scenario = Callable[[int], Awaitable[None]]


async def still_answers(port: int) -> None:
    """The server answers a new client (after another one misbehaved)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(ns("mta1 x@gone.test"))
    assert await read_reply(reader) == "OK retry:4.7.0 sender is deactivated"
    writer.close()


def run(
    scenario: Scenario, reply_for: Callable[[str, str], bytes] | None = None, **kw: int
) -> None:
    async def main() -> None:
        server = SocketmapServer(reply_for or decision_replies(decide), Limits(**kw))
        port = await server.start("127.0.0.1", 0)
        try:
            await asyncio.wait_for(scenario(port), 30)
        finally:
            await server.stop()

    asyncio.run(main())


def test_answers_send_defer_and_no_match_on_one_connection() -> None:
    seen: list[str] = []

    async def scenario(port: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for key in ("x@acme.test", "x@gone.test", "x@elsewhere.test", "x@nobody.test", "<>"):
            writer.write(ns(f"mta1 {key}"))
            seen.append(await read_reply(reader))
        writer.close()

    run(scenario)
    assert seen[0] in {"OK ipfleet-127-0-0-2:", "OK ipfleet-127-0-0-3:", "OK ipfleet-127-0-0-4:"}
    assert seen[1:] == [
        "OK retry:4.7.0 sender is deactivated",
        "OK retry:4.7.0 sender has no sending IP on mta1",
        "NOTFOUND ",
        "NOTFOUND ",
    ]


def test_pipelined_requests_are_answered_in_order() -> None:
    async def scenario(port: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        three = ("mta1 x@gone.test", "mta1 x@nobody.test", "mta2 x@elsewhere.test")
        writer.write(b"".join(ns(request) for request in three))
        replies = [await read_reply(reader) for _ in range(3)]
        assert replies == [
            "OK retry:4.7.0 sender is deactivated",
            "NOTFOUND ",
            "OK ipfleet-127-0-0-9:",
        ]
        writer.close()

    run(scenario)


def test_each_lookup_picks_uniformly_among_the_ips() -> None:
    counts: Counter[str] = Counter()

    async def scenario(port: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(900):
            writer.write(ns("mta1 someone@ACME.test"))
            counts[await read_reply(reader)] += 1
        writer.close()

    run(scenario)
    assert_uniform(counts, [f"OK ipfleet-127-0-0-{n}:" for n in (2, 3, 4)])


def test_the_uniformity_check_rejects_a_biased_choice() -> None:
    names = ["a", "b", "c"]
    with pytest.raises(AssertionError, match="not uniform"):
        assert_uniform(Counter({"a": 400, "b": 250, "c": 250}), names)
    with pytest.raises(AssertionError, match="never used"):
        assert_uniform(Counter({"a": 450, "b": 450}), names)
    assert chi_square(Counter({"a": 10, "b": 10, "c": 10}), names) == 0


@pytest.mark.parametrize(
    ("sent", "why"),
    [
        (b"12x:mta1 a@b.test,", "not a number"),
        (b"99999:", "not a number of at most 4 digits"),
        (b"1001:", "exceeds 1000"),
        (b":mta1 a@b.test,", "not a number"),
        (b"13:mta1 a@b.test;", "does not end with ','"),
        (ns("mta1"), "not '<name> <key>'"),
        (ns(" a@b.test"), "not '<name> <key>'"),
        (b"x" * 5000, "not a number"),
    ],
)
def test_malformed_or_oversized_requests_get_perm_and_a_closed_connection(
    sent: bytes, why: str
) -> None:
    async def scenario(port: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(sent)
        reply = await read_reply(reader)
        assert reply.startswith("PERM ")
        assert why in reply
        assert await reader.read() == b""  # closed by the server
        writer.close()
        await still_answers(port)

    run(scenario)


def test_a_client_leaving_mid_request_harms_no_one() -> None:
    async def scenario(port: int) -> None:
        for partial in (b"1", b"16:mta1 a@", b"16:mta1 a@acme.test"):
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(partial)
            await writer.drain()
            writer.close()
        await still_answers(port)

    run(scenario)


def test_a_failing_lookup_answers_temp_and_logs_once(caplog: pytest.LogCaptureFixture) -> None:
    broken = {"yes": True}

    def flaky(mta: str, sender: str) -> Decision:
        if broken["yes"]:
            raise ConnectionRefusedError("connection to the database refused")
        return decide(mta, sender)

    async def scenario(port: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(3):
            writer.write(ns("mta1 x@acme.test"))
            assert await read_reply(reader) == (
                "TEMP ipfleet cannot decide now: ConnectionRefusedError"
            )
        broken["yes"] = False
        writer.write(ns("mta1 x@gone.test"))
        assert await read_reply(reader) == "OK retry:4.7.0 sender is deactivated"
        writer.close()

    with caplog.at_level(logging.WARNING, logger="ipfleet.socketmap"):
        run(scenario, decision_replies(flaky))
    messages = [r.getMessage() for r in caplog.records]
    assert messages == [
        "lookups answer TEMP until this clears: ConnectionRefusedError: connection to the "
        "database refused",
        "lookups answer again",
    ]
    assert all(r.exc_info is None for r in caplog.records)  # no traceback


def test_connections_beyond_the_limit_get_temp() -> None:
    async def scenario(port: int) -> None:
        first = await asyncio.open_connection("127.0.0.1", port)
        second = await asyncio.open_connection("127.0.0.1", port)
        first[1].write(ns("mta1 x@nobody.test"))  # the first is being served
        assert await read_reply(first[0]) == "NOTFOUND "
        assert await read_reply(second[0]) == "TEMP too many connections"
        assert await second[0].read() == b""
        first[1].close()
        second[1].close()

    run(scenario, max_connections=1)


def test_answer_and_netstring_limits() -> None:
    send = decide("mta1", "x@acme.test")
    assert answer(send, choose=lambda options: options[-1]) == b"OK ipfleet-127-0-0-4:"
    assert answer(decide("mta1", "x@nobody.test")) == b"NOTFOUND "
    assert netstring.encode(b"OK x") == b"4:OK x,"
    assert netstring.encode(b"x" * netstring.MAX_REPLY).startswith(b"100000:")
    with pytest.raises(ValueError, match="exceeds"):
        netstring.encode(b"x" * (netstring.MAX_REPLY + 1))
