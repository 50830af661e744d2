"""`ipfleet postfix render`: the Postfix fragments that make an MTA obey ipfleet.

``master.cf.ipfleet`` holds one ``smtp`` transport per IP placed on the MTA, bound to that
IP and saying its HELO name; ``main.cf.ipfleet`` points
``sender_dependent_default_transport_maps`` at the socketmap server (which picks one of
those transports per message) and sets ``smtp_bind_address_enforce = yes`` so that an
address that cannot be bound defers the mail instead of sending it from another. Each
transport also sticks to its address family (``inet_protocols``): an IPv4 transport never
connects over IPv6 from the host's default address, nor the reverse.

The same state renders the same bytes; files are replaced atomically.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ipfleet.domain.errors import InvalidValue
from ipfleet.domain.routing import SendingIp, transport_name

MASTER = "master.cf.ipfleet"
MAIN = "main.cf.ipfleet"
_ENDPOINT = re.compile(r"inet:(?P<host>[^:\s]+|\[[0-9A-Fa-f:.]+\]):(?P<port>\d{1,5})")
# What Postfix takes as a parameter value in master.cf without breaking the line apart.
_HELO = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]*")


def socketmap_endpoint(value: str) -> str:
    """``inet:HOST:PORT`` checked, as given; a clear error otherwise."""
    match = _ENDPOINT.fullmatch(value.strip())
    if match is None or not 0 < int(match["port"]) < 65536:
        raise InvalidValue(f"--socketmap must be inet:HOST:PORT, not {value!r}")
    return value.strip()


def _transport(ip: SendingIp) -> str:
    version = ipaddress.ip_address(ip.address).version
    bind = "smtp_bind_address" if version == 4 else "smtp_bind_address6"
    helo = ip.hostname if ip.hostname and _HELO.fullmatch(ip.hostname) else "$myhostname"
    return (
        f"{transport_name(ip.address)} unix - - - - - smtp\n"
        f"  -o {bind}={ip.address}\n"
        f"  -o inet_protocols=ipv{version}\n"
        f"  -o smtp_helo_name={helo}\n"
        f"  -o syslog_name=postfix/ipfleet-{ip.address}\n"
    )


def master_cf(mta: str, ips: Iterable[SendingIp]) -> str:
    """``master.cf.ipfleet``: one transport per IP, in the order given (numeric)."""
    head = (
        f"# ipfleet: one smtp transport per IP placed on MTA {mta}.\n"
        "# Written by `ipfleet postfix render`; append to master.cf, do not edit.\n"
    )
    return head + "".join(_transport(ip) for ip in ips)


def main_cf(mta: str, endpoint: str) -> str:
    """``main.cf.ipfleet``: the per-sender lookup and the bind-address guarantee."""
    return (
        f"# ipfleet: each sender's mail leaves MTA {mta} from one of its IPs.\n"
        "# Written by `ipfleet postfix render`; append to main.cf, do not edit.\n"
        f"sender_dependent_default_transport_maps = socketmap:{endpoint}:{mta}\n"
        "smtp_bind_address_enforce = yes\n"
    )


def render(mta: str, endpoint: str, ips: Iterable[SendingIp]) -> dict[str, bytes]:
    """Both fragments by file name (IPs not enabled are left out: never sent from)."""
    enabled = [ip for ip in ips if ip.enabled and ip.mta == mta]
    return {
        MASTER: master_cf(mta, enabled).encode(),
        MAIN: main_cf(mta, socketmap_endpoint(endpoint)).encode(),
    }


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What ``postfix check`` said about the fragments (``ran`` False: Postfix missing)."""

    ran: bool
    ok: bool
    output: str


POSTFIX_BIN = Path("/usr/sbin/postfix")
POSTCONF_BIN = Path("/usr/sbin/postconf")


def check(files: Mapping[str, bytes]) -> CheckResult:
    """Validate the fragments with Postfix's own tools on a throwaway config directory:
    ``postconf -n`` and ``postconf -M`` (syntax, unknown parameter names) and, as root,
    ``postfix check``. Any warning or fatal line fails the check."""
    if not POSTFIX_BIN.exists() or not POSTCONF_BIN.exists():
        return CheckResult(ran=False, ok=False, output="Postfix is not installed")
    with tempfile.TemporaryDirectory(prefix="ipfleet-postfix-check-") as tmp:
        config = Path(tmp)
        for sub in ("queue", "data"):
            (config / sub).mkdir()
        (config / "main.cf").write_bytes(_CHECK_MAIN.format(root=tmp).encode() + files[MAIN])
        (config / "master.cf").write_bytes(_CHECK_MASTER.encode() + files[MASTER])
        commands = [[str(POSTCONF_BIN), "-c", tmp, "-n"], [str(POSTCONF_BIN), "-c", tmp, "-M"]]
        if os.geteuid() == 0:
            shutil.chown(config / "data", "postfix", "postfix")
            commands.append([str(POSTFIX_BIN), "-c", tmp, "check"])
        failed, output = False, []
        for command in commands:
            done = subprocess.run(  # noqa: S603 - Postfix's own tools, arguments we built
                command, capture_output=True, text=True, timeout=60, check=False
            )
            failed = failed or done.returncode != 0
            output += [line for line in done.stderr.splitlines() if line not in output]
        text = "\n".join(output)
        ok = not failed and not re.search(r"\b(warning|fatal|error):", text)
        return CheckResult(ran=True, ok=ok, output=text)


_CHECK_MAIN = """\
compatibility_level = 3.6
queue_directory = {root}/queue
data_directory = {root}/data
"""
_CHECK_MASTER = """\
smtp      unix  -       -       n       -       -       smtp
retry     unix  -       -       n       -       -       error
"""
