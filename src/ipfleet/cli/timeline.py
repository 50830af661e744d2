"""`ipfleet ip history` and `ipfleet who`: the timeline, for the operator (docs/timeline.md)."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any

import typer

from ipfleet.cli.context import open_db
from ipfleet.cli.output import emit_json, say, table
from ipfleet.domain.errors import InvalidValue
from ipfleet.domain.timeline import Period, WhoWasIt, parse_moment
from ipfleet.services import timeline

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
TimeHelp = "ISO 8601 with a zone (2026-12-03T14:02:00Z) or Unix seconds."
CSV_COLUMNS = ("address", "kind", "account", "subuser", "pool", "started_at", "ended_at")


def _moment(text: str | None) -> datetime | None:
    return None if text is None else parse_moment(text)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _period_json(p: Period) -> dict[str, Any]:
    return {
        "address": p.address,
        "kind": p.kind,
        "account": p.account,
        "subuser": p.subuser,
        "pool": p.pool,
        "started_at": _iso(p.started_at),
        "ended_at": _iso(p.ended_at),
    }


def _write_csv(periods: Iterable[Period]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for p in periods:
        row = _period_json(p)
        writer.writerow(["" if row[c] is None else row[c] for c in CSV_COLUMNS])


def ip_history(
    target: Annotated[str, typer.Argument(help="An address, or a CIDR range with --csv.")],
    since: Annotated[str | None, typer.Option(help=f"From this moment: {TimeHelp}")] = None,
    until: Annotated[str | None, typer.Option(help=f"Until this moment: {TimeHelp}")] = None,
    as_csv: Annotated[
        bool, typer.Option("--csv", help="CSV on stdout: every address of a range, streamed.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Every period on an IP, in order: the accounts it was on, the subusers that held it,
    its pools."""
    start, end = _moment(since), _moment(until)
    if start is not None and end is not None and end <= start:
        raise InvalidValue("--until must come after --since")
    db = open_db()
    if "/" in target:
        if not as_csv:
            raise InvalidValue("A range is exported with --csv")
        _write_csv(timeline.range_history(db, network=target, since=start, until=end))
        return
    periods = timeline.ip_history(db, address=target, since=start, until=end)
    if as_csv:
        _write_csv(periods)
    elif as_json:
        emit_json([_period_json(p) for p in periods])
    elif not periods:
        say(f"No period on {target} in that window.")
    else:
        table(
            f"History of {target}",
            ["kind", "account", "subuser", "pool", "from", "to"],
            [
                (p.kind, p.account, p.subuser, p.pool, _iso(p.started_at), _iso(p.ended_at))
                for p in periods
            ],
        )


def _who_json(answer: WhoWasIt) -> dict[str, Any]:
    return {
        "ip": answer.address,
        "at": _iso(answer.at),
        "account": answer.account,
        "subusers": [
            {
                "username": s.subuser,
                "active": s.active,
                "mail_domain": s.mail_domain,
                "holds": "explicitly" if s.explicit else "implicitly (empty set: all IPs)",
            }
            for s in answer.senders
        ],
    }


def who(
    ip: Annotated[str | None, typer.Argument(help="The IP address asked about.")] = None,
    *,
    at: Annotated[str, typer.Option(help=f"The moment: {TimeHelp}")],
    sender: Annotated[
        str | None, typer.Option(help="Ask from an envelope sender instead of an IP.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Who held, and who could send from, an IP (or an envelope sender) at a moment."""
    if (ip is None) == (sender is None):
        raise InvalidValue("Give either an IP or --sender ADDRESS")
    moment = parse_moment(at)
    if sender is not None:
        _who_sender(sender, moment, as_json)
        return
    assert ip is not None
    answer = timeline.who_at(open_db(), address=ip, at=moment)
    if as_json:
        emit_json(_who_json(answer))
        return
    if answer.account is None:
        say(f"{answer.address} was on no account at {_iso(moment)}.")
        return
    say(f"{answer.address} was on {answer.account} at {_iso(moment)}.")
    table(
        "Subusers that could send from it",
        ["subuser", "active", "mail domain", "holds"],
        [
            (row["username"], row["active"], row["mail_domain"], row["holds"])
            for row in _who_json(answer)["subusers"]
        ],
    )


def _who_sender(sender: str, moment: datetime, as_json: bool) -> None:
    found = timeline.who_sent(open_db(), sender=sender, at=moment)
    data: dict[str, Any] | None = None
    if found is not None:
        data = {
            "sender": found.sender,
            "domain": found.domain,
            "at": _iso(found.at),
            "account": found.account,
            "subuser": found.subuser,
            "active": found.active,
            "ips": list(found.addresses),
        }
    if as_json:
        emit_json(data)
    elif data is None:
        say(f"No account had the domain of {sender} at {_iso(moment)}.")
    else:
        assert found is not None
        holder = found.subuser or "the account itself"
        state = "active" if found.active else "deactivated"
        say(
            f"{found.domain} was {found.account}'s ({holder}, {state}) at {_iso(moment)}; "
            f"it could send from: {', '.join(found.addresses) or 'no IP'}."
        )
