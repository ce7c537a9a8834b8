"""Mail (issue #19) under the input and output rules of issue #16: a Maildir's message files,
mboxes and saved messages are read only when they are regular files inside the input folders
(E145, E146, --follow-symlinks); each message's cache entry is checksummed, written under the
build lock and removed when the build fails; a message's issue counts as built from its
mailbox for the prune guard (E140)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from test_mail import mbox, message, simple
from test_safety import _build_cli, _issue, _tree, holding_lock, run


def _maildir(path: Path, messages: dict[str, bytes]) -> Path:
    for sub in ("cur", "new", "tmp"):
        (path / sub).mkdir(parents=True, exist_ok=True)
    for name, data in messages.items():
        (path / name).write_bytes(data)
    return path


def _issues(out: Path) -> list[str]:
    return sorted(p.name for p in (out / "issues").glob("*.ttl"))


def _hostile_tree(tmp_path: Path) -> tuple[Path, Path]:
    """An input folder holding a Maildir (one good message, a FIFO among its messages, message
    files linking out of the input folder), a FIFO named like a saved message, a file named
    `mbox` and a Maildir that are symbolic links to outside the input folder."""
    inp, outside = tmp_path / "in", tmp_path / "outside"
    outside.mkdir()
    (outside / "chip.eml").write_bytes(message("chip-digest-12.eml"))
    (outside / "market.mbox").write_bytes(mbox(message("market-brief-88.eml")))
    _maildir(outside / "Other", {"cur/1775000000.M9P1.host:2,S": simple()})
    md = _maildir(inp / "Maildir", {"cur/1774483200.M1P1.host:2,S": message("aiweekly-470.eml")})
    os.mkfifo(md / "cur" / "1774483300.M2P1.host:2,S")
    (md / "new" / "1774483400.M3P1.host").symlink_to(outside / "chip.eml")
    (md / "new" / "1774483500.M4P1.host").symlink_to("/dev/zero")
    os.mkfifo(inp / "pipe.eml")
    (inp / "mbox").symlink_to(outside / "market.mbox")
    (inp / "Linked").symlink_to(outside / "Other", target_is_directory=True)
    return inp, md


def test_mail_in_an_input_folder_follows_the_input_rules(tmp_path):
    inp, md = _hostile_tree(tmp_path)
    try:
        p = _build_cli(inp, "-o", tmp_path / "out", timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("kg build hung on a FIFO among the mail")
    assert p.returncode == 2 and "Traceback" not in p.stderr, p.stderr
    # only the Maildir's own regular message is built; nothing from outside the input folder
    assert _issues(tmp_path / "out") == ["ai-weekly-470.ttl"], p.stderr
    assert "built 1 issue(s)" in p.stdout
    err = p.stderr
    assert f"[E145] {inp / 'pipe.eml'}: not a regular file (a named pipe (FIFO))" in err
    assert f"[E145] {md / 'cur' / '1774483300.M2P1.host:2,S'}: not a regular file (a named pipe (FIFO))" in err
    for path, what in ((inp / "mbox", "file"), (inp / "Linked", "folder"),
                       (md / "new" / "1774483400.M3P1.host", "file"), (md / "new" / "1774483500.M4P1.host", "file")):
        assert f"[E146] {path}: a symbolic link to a {what} outside the input folders" in err, (path, err)
    graph = (tmp_path / "out" / "graph.ttl").read_text()
    assert "Market Brief" not in graph and "Chip Digest" not in graph and "Wire Notes" not in graph

    # --follow-symlinks reads the links; a FIFO or a device is still never read
    p = _build_cli(inp, "-o", tmp_path / "out2", "--follow-symlinks", timeout=60)
    assert p.returncode == 2 and "Traceback" not in p.stderr, p.stderr
    assert _issues(tmp_path / "out2") == ["ai-weekly-470.ttl", "chip-digest-12.ttl", "market-brief-88.ttl",
                                          "wire-notes-3.ttl"], p.stderr
    assert "[E146]" not in p.stderr
    assert f"[E145] {md / 'new' / '1774483500.M4P1.host'}: not a regular file (a character device)" in p.stderr
    assert p.stderr.count("[E145]") == 3, p.stderr


def test_mail_named_on_the_command_line_is_read_only_from_regular_files(tmp_path):
    inp, md = _hostile_tree(tmp_path)
    for args in ([inp / "pipe.eml", md], ["--input-format", "mail", inp / "pipe.eml", md]):
        try:
            p = _build_cli(*args, "-o", tmp_path / "out", timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail(f"kg build {args} hung")
        assert p.returncode == 2 and "built 1 issue(s)" in p.stdout, p.stderr
        assert f"[E145] {inp / 'pipe.eml'}: not a regular file" in p.stderr
        # the Maildir named: its message files may not leave it either
        assert f"[E146] {md / 'new' / '1774483400.M3P1.host'}" in p.stderr
    # a Maildir whose cur/ leads out of it is refused whole, and says why
    bad = _maildir(tmp_path / "Bad", {"new/1775100000.M1P1.host": message("market-brief-88.eml")})
    (bad / "cur").rmdir()
    (bad / "cur").symlink_to(tmp_path / "outside" / "Other" / "cur", target_is_directory=True)
    p = _build_cli(bad, md, "-o", tmp_path / "out3", timeout=60)
    assert p.returncode == 2, p.stderr
    assert f"[E146] {bad / 'cur'}: a symbolic link to a folder outside the input folders" in p.stderr
    assert _issues(tmp_path / "out3") == ["ai-weekly-470.ttl"]
    p = _build_cli(bad, "-o", tmp_path / "out4", "--follow-symlinks", timeout=60)
    assert p.returncode == 0 and _issues(tmp_path / "out4") == ["market-brief-88.ttl", "wire-notes-3.ttl"], p.stderr


def test_a_mailbox_not_given_is_not_pruned_silently_and_a_deleted_message_goes(tmp_path):
    box = tmp_path / "inbox.mbox"
    box.write_bytes(mbox(message("aiweekly-470.eml"), message("chip-digest-12.eml"), message("market-brief-88.eml")))
    md = _maildir(tmp_path / "Maildir", {"cur/1775000000.M1P1.host:2,S": simple(),
                                         "new/1775000100.M2P1.host": simple(
                                             subject="Wire Notes #4: Busy Week", msgid="<w4@wire.example>")})
    x = tmp_path / "x.txt"
    x.write_text(_issue(5))
    out = tmp_path / "out"
    r = run("build", box, md, x, "-o", out, "--model", "none")
    assert r.exit_code == 0 and "built 6 issue(s)" in r.output, r.output
    before = _tree(out)
    # the mailboxes not given: E140 names their issues and where they came from; nothing changes
    r = run("build", x, "-o", out, "--model", "none")
    assert r.exit_code == 1, r.output
    line = r.output.strip().splitlines()[-1]
    assert "[E140]" in line and "would remove 5 issue(s)" in line, line
    assert "chip-digest-12.ttl (built from " in line and "inbox.mbox)" in line and "Maildir)" in line, line
    assert {k: v for k, v in _tree(out).items() if not k.startswith(".kg/")} == \
        {k: v for k, v in before.items() if not k.startswith(".kg/")}
    # a message deleted from a mailbox given again goes, as a file removed from a folder does
    box.write_bytes(mbox(message("aiweekly-470.eml"), message("market-brief-88.eml")))
    (md / "new" / "1775000100.M2P1.host").unlink()
    r = run("build", box, md, x, "-o", out, "--model", "none")
    assert r.exit_code == 0, r.output
    assert _issues(out) == ["ai-weekly-470.ttl", "market-brief-88.ttl", "safety-notes-5.ttl", "wire-notes-3.ttl"]
    # a build whose manifest predates the sources (mail's units are 'inbox.mbox#2'): the same
    # inputs again are all given, so a deleted message still goes without E140
    manifest = out / ".kg" / "manifest.json"
    m = json.loads(manifest.read_text())
    assert any("#" in f for f in m["files"]) and m["sources"]["market-brief-88.ttl"] == str(box)
    del m["sources"]
    manifest.write_text(json.dumps(m))
    box.write_bytes(mbox(message("aiweekly-470.eml")))
    r = run("build", box, md, x, "-o", out, "--model", "none")
    assert r.exit_code == 0, r.output
    assert "market-brief-88.ttl" not in _issues(out)
    # --prune: the user says so
    r = run("build", x, "-o", out, "--model", "none", "--prune")
    assert r.exit_code == 0 and _issues(out) == ["safety-notes-5.ttl"], r.output


def test_message_cache_entries_are_checksummed_locked_and_cleaned_up(tmp_path):
    box = tmp_path / "inbox.mbox"
    box.write_bytes(mbox(message("aiweekly-470.eml"), message("chip-digest-12.eml"), message("market-brief-88.eml")))
    out, full = tmp_path / "out", tmp_path / "full"
    assert run("build", box, "-o", out, "--model", "none").exit_code == 0
    good = _tree(out)
    entries = sorted((out / ".kg" / "cache").glob("*.kge"))
    assert len(entries) == 3                                     # one per message
    # a damaged entry (its records) is a cache miss: that message is extracted again
    raw = bytearray(entries[1].read_bytes())
    raw[40:44] = b"\xff\xff\xff\xff"
    entries[1].write_bytes(bytes(raw))
    r = run("build", box, "-o", out, "--model", "none")
    assert r.exit_code == 0 and "1 extracted, 2 unchanged" in r.output, r.output
    assert _tree(out) == good
    # a damaged pickled extraction, read when the issue is rendered again
    raw = bytearray(entries[0].read_bytes())
    raw[-100:-96] = b"\x00\x00\x00\x00"
    entries[0].write_bytes(bytes(raw))
    (out / ".kg" / "terms" / "index.rdx").unlink()   # every message's issue is rendered again
    r = run("build", box, "-o", out, "--model", "none")
    assert r.exit_code == 0 and "1 extracted" in r.output, r.output
    assert (out / "graph.ttl").read_bytes() == good["graph.ttl"]
    assert run("build", box, "-o", full, "--model", "none", "--rebuild").exit_code == 0
    assert (out / "graph.ttl").read_bytes() == (full / "graph.ttl").read_bytes()
    good = _tree(out)

    # new mail while another build holds the folder: E141, nothing written
    box.write_bytes(box.read_bytes() + mbox(simple()))
    with holding_lock(out) as pid:
        r = run("build", box, "-o", out, "--model", "none")
        assert r.exit_code == 1 and f"[E141] {out}: another kg build (process {pid})" in r.output, r.output
        assert _tree(out) == good

    # the output cannot be written: one line, and the new message's entry is not left behind
    (out / "graph.ttl").unlink()
    (out / "graph.ttl").mkdir()
    before = _tree(out)
    r = run("build", box, "-o", out, "--model", "none")
    assert r.exit_code == 1 and "[E142]" in r.output and "Traceback" not in r.output, r.output
    assert _tree(out) == before
    assert sorted((out / ".kg" / "cache").glob("*.kge")) == entries
    shutil.rmtree(out / "graph.ttl")
    r = run("build", box, "-o", out, "--model", "none")
    assert r.exit_code == 0 and "1 extracted, 3 unchanged" in r.output, r.output
