"""A throwaway Postfix instance: its own config, queue and data directories under a temp dir.

Built from Debian's Postfix 3.7 as root (see DESIGN.md, "The data plane"): services are
not chrooted, it listens on loopback only, smtpd on a free port, and every message is
relayed to an SMTP sink (``relayhost = [127.0.0.1]:SINKPORT``). ipfleet's rendered
fragments are appended to ``main.cf`` and ``master.cf`` as an operator would.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import smtplib
import subprocess
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

REQUIRE_ENV = "IPFLEET_TEST_REQUIRE_POSTFIX"
POSTFIX = Path("/usr/sbin/postfix")
HOSTNAME = "postfix-under-test.ipfleet.test"

# Only the services this instance needs; column 5 (chroot) is n everywhere, since the
# queue directory is not /var/spool/postfix.
MASTER_CF = """\
127.0.0.1:{smtpd_port} inet n - n - - smtpd
pickup    unix  n       -       n       1       1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""

MAIN_CF = """\
compatibility_level = 3.6
queue_directory = {root}/queue
data_directory = {root}/data
mail_owner = postfix
setgid_group = postdrop
myhostname = {hostname}
mydomain = ipfleet.test
myorigin = $myhostname
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost = [127.0.0.1]:{sink_port}
alias_maps =
alias_database =
local_recipient_maps =
smtp_tls_security_level = none
smtpd_tls_security_level = none
smtp_dns_support_level = disabled
maillog_file = {root}/log/maillog
maillog_file_prefixes = {root}/log
# Retry deferred mail fast; the tests flush the queue explicitly anyway.
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
bounce_queue_lifetime = 1h
maximal_queue_lifetime = 1h
"""


def available() -> str | None:
    """Why a throwaway Postfix cannot run here, or None when it can."""
    if not POSTFIX.exists():
        return "Postfix is not installed (Debian package `postfix`)"
    if os.geteuid() != 0:
        return "starting Postfix needs root"
    try:
        pwd.getpwnam("postfix")
    except KeyError:
        return "there is no `postfix` user"
    return None


def skip_or_fail_without_postfix() -> None:
    """Skip when Postfix cannot run; fail instead when IPFLEET_TEST_REQUIRE_POSTFIX is set."""
    why = available()
    if why is None:
        return
    if os.environ.get(REQUIRE_ENV):
        pytest.fail(f"{why}, but {REQUIRE_ENV} is set")
    pytest.skip(why)


class ThrowawayPostfix:
    """One Postfix instance under ``root``; ``config`` is its config_directory."""

    def __init__(self, root: Path, *, smtpd_port: int, sink_port: int) -> None:
        self.root = root
        self.config = root / "etc"
        self.smtpd_port = smtpd_port
        self.sink_port = sink_port

    def build(self, main_fragment: str, master_fragment: str) -> None:
        """Write main.cf and master.cf with ipfleet's fragments appended; make the dirs."""
        for sub in ("etc", "queue", "data", "log"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o755)  # the postfix user must reach data/ and queue/
        shutil.chown(self.root / "data", "postfix", "postfix")
        values = {"root": self.root, "hostname": HOSTNAME, "sink_port": self.sink_port}
        (self.config / "main.cf").write_text(MAIN_CF.format(**values) + main_fragment)
        (self.config / "master.cf").write_text(
            MASTER_CF.format(smtpd_port=self.smtpd_port) + master_fragment
        )
        self.postfix("set-permissions")  # the queue's subdirectories, owned as Postfix wants
        self.postfix("check")

    def postfix(self, *args: str) -> str:
        """Run ``postfix -c CONFIG ARGS``; its output, or a clear failure."""
        return self._run(["postfix", "-c", str(self.config), *args])

    def start(self) -> None:
        try:
            self.postfix("start")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.log_tail()}") from None
        self._wait_for_smtpd()

    def stop(self) -> None:
        subprocess.run(
            ["postfix", "-c", str(self.config), "stop"], capture_output=True, check=False
        )

    def flush(self) -> None:
        """Ask the queue manager to retry every deferred message now."""
        self._run(["postqueue", "-c", str(self.config), "-f"])

    def queue(self) -> str:
        """The queue listing (``postqueue -p``)."""
        return self._run(["postqueue", "-c", str(self.config), "-p"])

    def queued(self) -> list[dict[str, Any]]:
        """Every queued message as ``postqueue -j`` describes it (one JSON object each)."""
        out = self._run(["postqueue", "-c", str(self.config), "-j"])
        return [json.loads(line) for line in out.splitlines() if line.startswith("{")]

    def purge(self) -> None:
        """Delete every queued message (between tests)."""
        self._run(["postsuper", "-c", str(self.config), "-d", "ALL"])

    def master_pid(self) -> int:
        return int((self.root / "queue" / "pid" / "master.pid").read_text().split()[0])

    def log_tail(self, lines: int = 40) -> str:
        path = self.root / "log" / "maillog"
        text = path.read_text(errors="replace") if path.exists() else "(no maillog yet)"
        return "\n".join(text.splitlines()[-lines:])

    def diagnosis(self) -> str:
        """What to look at when a wait fails: the queue and the end of the mail log."""
        return f"--- postqueue -p\n{self.queue()}\n--- maillog (tail)\n{self.log_tail()}"

    def submit(self, sender: str, recipient: str, subject: str) -> None:
        """Submit one message over SMTP to this instance's smtpd (raises on refusal)."""
        self.submit_many(sender, [(recipient, subject)])

    def submit_many(self, sender: str, messages: list[tuple[str, str]]) -> None:
        """Submit ``(recipient, subject)`` messages over one SMTP session."""
        with smtplib.SMTP("127.0.0.1", self.smtpd_port, timeout=30) as client:
            for recipient, subject in messages:
                client.send_message(_message(sender, recipient, subject), sender, [recipient])

    def sendmail(self, sender: str, recipient: str, subject: str) -> None:
        """Submit one message through sendmail(1) (pickup): queued whatever routing says."""
        done = subprocess.run(
            ["sendmail", "-C", str(self.config), "-f", sender, "--", recipient],
            input=_message(sender, recipient, subject).as_bytes(),
            capture_output=True,
            timeout=30,
            check=False,
        )
        if done.returncode != 0:
            raise AssertionError(f"sendmail failed: {done.stderr.decode(errors='replace')}")

    def _run(self, cmd: list[str]) -> str:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
        if done.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr}")
        return done.stdout + done.stderr

    def _wait_for_smtpd(self) -> None:
        deadline = time.monotonic() + 20
        while True:
            try:
                with smtplib.SMTP("127.0.0.1", self.smtpd_port, timeout=5) as client:
                    client.noop()
                return
            except OSError as exc:
                if time.monotonic() > deadline:
                    raise AssertionError(
                        f"Postfix smtpd did not answer on {self.smtpd_port} within 20 s: "
                        f"{exc}\n{self.log_tail()}"
                    ) from exc
                time.sleep(0.1)


def _message(sender: str, recipient: str, subject: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = recipient
    msg["Subject"] = subject
    msg.set_content(f"ipfleet data-plane test message {subject}\n")
    return msg
