"""v3 lists (issue 11, item 5a): the SDK's reads against a floor serving the same bytes.

Each list of the small dataset (256 IPs, 64 subusers) is measured over one connection and
over ``--connections``, each time against the floor under the same server settings and
the same wrk load. Two targets: at least 25% of the floor with one worker, and never
fewer answers per second with many connections than with one.
"""

from __future__ import annotations

from bench import servers
from bench.report import Row
from bench.scenarios import Bench, Pair, Setup, _good, _vs_floor, pair_row

V3_TARGET = 0.25
LISTS = (
    ("/v3/ips?limit=256", "GET /v3/ips?limit=256"),
    ("/v3/ips/assigned", "GET /v3/ips/assigned"),
    ("/v3/subusers", "GET /v3/subusers"),
)


def _scaling_row(label: str, one: Pair, many: Pair) -> Row:
    grown = many.result.rps / one.result.rps
    return Row(
        label,
        floor=f"{one.result.rps:,.0f} req/s with 1 connection",
        ratio=f"{grown:.2f}x",
        target=f"-c{many.load.connections} >= -c1",
        met=grown >= 1.0,
        uptime=many.uptime,
    )


def v3_lists(bench: Bench, setup: Setup) -> None:
    """Every v3 list above: its share of the floor at 1 and N connections, and N vs 1."""
    auth = f"Bearer {setup.built.api_key}"
    for path, what in LISTS:
        url = setup.server.base + path
        answer = _good(servers.fetch(url, headers={"Authorization": auth}), what)
        pairs: list[Pair] = []
        for connections in (1, bench.load.connections):
            pair = _vs_floor(
                bench,
                setup,
                name=f"v3-{path.strip('/').replace('/', '-').split('?')[0]}-c{connections}",
                url=url,
                script="get.lua",
                args=[],
                body=answer.body,
                content_type=answer.content_type,
                headers=[f"Authorization: {auth}"],
                connections=connections,
            )
            label = setup.label(f"{what} ({len(answer.body):,} bytes)")
            bench.add(pair_row(label, pair, V3_TARGET))
            pairs.append(pair)
        bench.add(_scaling_row(setup.label(f"{what}: -c{bench.load.connections} vs -c1"), *pairs))
