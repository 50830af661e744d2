"""Where the time goes: S1, S2, S3's write, V3 (GET /v3/ips?limit=256) and TAKE (POST
/v3/ips {"count":1} on small plus 65,534 free IPs) driven in process, without HTTP or wrk.

``python -m bench.profile`` builds the small and large SQLite datasets, calls ipfleet's
ASGI app directly (no server, so only ipfleet's own cost is measured) and writes, per
scenario, the time per request and the top of a cProfile listing (and a pyinstrument
call tree when pyinstrument is installed: ``.venv/bin/pip install pyinstrument``) to
bench/out/profile-<scenario>.txt, printing the top entries. The app reads its settings
from the environment as ``ipfleet serve`` does, e.g. ``IPFLEET_V2_CACHE_MB=0``. Work the
app hands to threads (reads and writes) runs inline here, so that the profilers see it.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import random
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import anyio.to_thread

from bench import dataset
from bench.dataset import Built
from bench.writes import stock_inventory

HERE = Path(__file__).parent
Request = tuple[str, str, bytes]  # method, path?query, form body
BEARER: list[bytes] = []  # the Authorization header of V3's requests, once built
Job = Callable[[], Coroutine[Any, Any, None]]


def _scope(method: str, target: str, body: bytes) -> dict[str, Any]:
    path, _, query = target.partition("?")
    headers = [(b"host", b"127.0.0.1"), (b"content-length", str(len(body)).encode())]
    if path.startswith("/v3/"):
        headers += [(b"authorization", value) for value in BEARER]
    if body:
        form = b"application/x-www-form-urlencoded"
        headers.append((b"content-type", b"application/json" if path.startswith("/v3/") else form))
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8080),
    }


async def call(app: Any, method: str, target: str, body: bytes = b"") -> tuple[int, bytes]:
    """One request through the ASGI app; its status and body."""
    inbox = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return inbox.pop() if inbox else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(_scope(method, target, body), receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


async def _inline(func: Callable[..., Any], *args: Any, **_: Any) -> Any:
    return func(*args)


class InlineReads:
    """Runs each read at once, in the calling thread (for the profilers)."""

    async def run(self, call: Callable[[], Any]) -> Any:
        return call()


def _app(built: Built) -> Any:
    # Reads and writes run in threads, which the profilers do not see: run them inline.
    anyio.to_thread.run_sync = _inline  # type: ignore[assignment]
    from ipfleet.api import offload

    offload._pool = InlineReads  # type: ignore[assignment]
    BEARER[:] = [f"Bearer {built.api_key}".encode()]
    os.environ["IPFLEET_DATABASE_URL"] = built.url
    from ipfleet.api.app import create_app

    return create_app()


def _requests(name: str, built: Built, count: int, seed: int) -> list[Request]:
    auth = f"api_user={built.account}&api_key={built.api_key}"
    rng = random.Random(seed)
    names = Path(built.subusers_file).read_text().split()
    if name == "S1":
        return [("GET", f"/apiv2/customer.ip.json?{auth}&list=all", b"")] * count
    if name == "V3":
        return [("GET", "/v3/ips?limit=256", b"")] * count
    if name in ("S4", "S4X"):
        kind = "json" if name == "S4" else "xml"
        return [("GET", f"/apiv2/customer.ip.{kind}?{auth}&list=available", b"")] * count
    if name == "TAKE":
        return [("POST", "/v3/ips", b'{"count":1}')] * count
    if name == "S2":
        prefix = f"/apiv2/customer.sendip.json?{auth}&task=list&user="
        return [("GET", prefix + rng.choice(names), b"") for _ in range(count)]
    ips = Path(built.ips_file).read_text().split()
    out: list[Request] = []
    for _ in range(count):
        picked = "&".join(f"ip%5B%5D={ip.replace(':', '%3A')}" for ip in rng.sample(ips, 4))
        form = f"{auth}&task=append&set=specify&user={rng.choice(names)}&{picked}"
        out.append(("POST", "/apiv2/customer.sendip.json", form.encode()))
    return out


def _job(app: Any, requests: list[Request]) -> Job:
    async def run() -> None:
        for method, target, body in requests:
            status, answer = await call(app, method, target, body)
            if status not in (200, 201) or answer.startswith((b'{"error', b"<error")):
                raise RuntimeError(f"{target} answered {status}: {answer[:200]!r}")

    return run


def _cprofile(job: Job, top: int) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    asyncio.run(job())
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    out.write("\n")
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def _pyinstrument(job: Job) -> str | None:
    try:
        from pyinstrument import Profiler
    except ImportError:
        return None
    profiler = Profiler(interval=0.0002, async_mode="disabled")
    profiler.start()
    asyncio.run(job())
    profiler.stop()
    return str(profiler.output_text(unicode=False, color=False, show_all=False))


def profile(name: str, built: Built, count: int, top: int) -> str:
    """Time ``count`` requests of scenario ``name``, then profile them; the report text.

    Each pass draws its own random subusers, as wrk does, so a pass is not answered
    from what an earlier one left in a cache.
    """
    app = _app(built)
    asyncio.run(_job(app, _requests(name, built, 50, 0))())  # warm: imports, connections
    started = time.perf_counter()
    asyncio.run(_job(app, _requests(name, built, count, 1))())
    per_request = (time.perf_counter() - started) / count * 1e6
    head = f"{name}: {per_request:.0f} µs per request in process ({count} requests)\n\n"
    tree = _pyinstrument(_job(app, _requests(name, built, count, 2)))
    listing = "cProfile\n" + _cprofile(_job(app, _requests(name, built, count, 3)), top)
    text = head + (f"pyinstrument\n{tree}\n" if tree else "") + listing
    app.db.dispose()
    return text


def _takes(out: Path) -> Built:
    """Small with the allocation bench's free inventory and a quota with room for it."""
    built = dataset.build(dataset.SPECS["small"], dataset.sqlite_url(out, "p-takes"), out)
    stock_inventory(built)
    return built


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", default=["S1", "S2", "S3", "V3"])
    parser.add_argument("--requests", type=int, default=2_000, help="requests per scenario")
    parser.add_argument("--top", type=int, default=25, help="lines of each cProfile listing")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args()
    small = dataset.build(dataset.SPECS["small"], dataset.sqlite_url(args.out, "p-small"), args.out)
    large = dataset.build(dataset.SPECS["large"], dataset.sqlite_url(args.out, "p-large"), args.out)
    takes = _takes(args.out) if "TAKE" in args.scenarios else small
    for name in args.scenarios:
        built = {"S1": small, "V3": small, "TAKE": takes}.get(name, large)
        text = profile(name, built, args.requests, args.top)
        path = args.out / f"profile-{name}.txt"
        path.write_text(text)
        lines = text.splitlines()
        # The call tree whole, then the cProfile listing by own time.
        end = lines.index("cProfile") + 10 + args.top
        print("\n".join(lines[:end]))
        print(f"... the whole profile is in {path}\n")


if __name__ == "__main__":
    main()
