"""The floor: a bare ASGI app that answers every request with one fixed body.

It is served by the same server, with the same settings and worker count, as ipfleet in
the same run, so the ratio ipfleet / floor is what ipfleet's own code costs. The body and
its content type come from files named in the environment (``BENCH_FLOOR_BODY``,
``BENCH_FLOOR_TYPE``): the runner writes there the very bytes ipfleet answered.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[MutableMapping[str, Any], Receive, Send], Awaitable[None]]

TARGET = "bench.floor:create_app"


def create_app() -> App:
    """The floor app for the body and content type named in the environment."""
    body = Path(os.environ["BENCH_FLOOR_BODY"]).read_bytes()
    content_type = Path(os.environ["BENCH_FLOOR_TYPE"]).read_bytes().strip()
    start: Message = {
        "type": "http.response.start",
        "status": 200,
        "headers": [(b"content-type", content_type), (b"content-length", b"%d" % len(body))],
    }
    answer: Message = {"type": "http.response.body", "body": body}

    async def app(scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        # Read the request body, as ipfleet must (it matters for POSTs).
        while (await receive()).get("more_body", False):
            pass
        await send(start)
        await send(answer)

    return app


def serve(host: str, port: int, workers: int) -> None:
    """Serve the floor through ``ipfleet serve`` itself, with only the app swapped.

    ``ipfleet serve`` builds its ``Granian`` server inside the command; replacing the
    class on the granian module for the length of this process makes it serve the floor
    with exactly ipfleet's server settings, whatever they become.
    """
    import granian

    from ipfleet.cli.server import serve as ipfleet_serve

    real = granian.Granian

    def floor_granian(target: str, *args: Any, **kwargs: Any) -> Any:
        if target != "ipfleet.api.app:serve_app":
            raise SystemExit(f"ipfleet serve now serves {target!r}; update bench/floor.py")
        return real(TARGET, *args, **kwargs)

    granian.Granian = floor_granian
    ipfleet_serve(host=host, port=port, workers=workers)


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
