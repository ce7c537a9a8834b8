"""Mail benchmark: a synthetic mbox of 10,000 messages through kg's mail reader and through
the whole `kg build`. Run by hand; prints figures (not a test).

    .venv/bin/python bench/mail_bench.py                        # 10,000 messages, rules only
    .venv/bin/python bench/mail_bench.py --messages 1000 --model auto --json FILE --keep

The mbox holds the issues of bench/corpus.py (the seed's shape, 15-16 items each, a quarter
bilingual) as newsletters would send them: multipart/alternative with a quoted-printable
text/plain part and a quoted-printable HTML part (layout table, hidden pre-header, "view in
browser" link, tracking redirects on every link, a tracking pixel, an unsubscribe and
referral footer); one message in ten is personal mail (no List-Id, left out) and one in
fifty carries a 150 KB PDF attachment. Measured, each in a fresh process (peak RSS is
the process's own):
  * read:        every message streamed and read into an issue (kg.ingest.read_path);
  * build:       `kg build inbox.mbox` into an empty folder (read, extract, resolve, write);
  * incremental: 10 messages appended to the mbox, the build run again on the same folder.
"""
from __future__ import annotations

import argparse
import base64
import html
import json
import quopri
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _qp(s: str) -> str:
    return quopri.encodestring(s.encode("utf-8")).decode("ascii")


def _html(number: int, text: str) -> str:
    """The issue as a newsletter's HTML mail: its items (read from the text by kg's text
    reader) as sections of <li>, leads as <p>, inside the usual layout table and furniture."""
    from kg.ingest.text import parse_text
    issue = parse_text(text, "x.txt", "")
    track = "https://click.aiweekly.example/redirect?e=9c1f&amp;url="
    body, section, in_list = [], None, False
    for it in issue.items:
        if it.section != section or it.kind != "item":
            if in_list:
                body.append("</ul>")
                in_list = False
            if it.section != section and it.section:
                body.append(f"<h2>{html.escape(it.section)}</h2>")
            section = it.section
        if it.kind == "item":
            if not in_list:
                body.append("<ul>")
                in_list = True
            body.append(f"<li>{html.escape(' '.join(it.text.split()))} "
                        f"<a href=\"{track}https%3A%2F%2Fexample.org%2Fn%2F{number}\">more</a></li>")
        else:
            body.append(f"<p>{html.escape(' '.join(it.text.split()))}</p>")
    if in_list:
        body.append("</ul>")
    title = text.splitlines()[0]
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>AI Weekly</title></head><body>"
            f"<div style=\"display:none;max-height:0;overflow:hidden\">This week in AI, issue {number}</div>"
            f"<table width=\"100%\" role=\"presentation\"><tr><td align=\"center\"><table width=\"600\">"
            f"<tr><td><a href=\"{track}https%3A%2F%2Fexample.org%2Faiweekly%2F{number}\">View in browser</a></td></tr>"
            f"<tr><td><h1>{html.escape(title)}</h1>\n" + "\n".join(body) + "</td></tr>"
            f"<tr><td><p>Refer a friend: <a href=\"https://aiweekly.example/refer?r=9c1f\">your link</a></p>"
            f"<p>You are receiving this email because you subscribed to AI Weekly.</p>"
            f"<p><a href=\"https://aiweekly.example/unsubscribe?u=9c1f\">Unsubscribe</a></p></td></tr></table>"
            f"</td></tr></table><img src=\"https://open.aiweekly.example/o.gif\" width=\"1\" height=\"1\" alt=\"\">"
            f"</body></html>")


def messages(n: int, seed: int = 0, first: int = 1000):
    """n messages as bytes: newsletters from bench/corpus.py, personal mail, attachments."""
    from corpus import generate
    rnd = random.Random(seed)
    issues = generate(n, seed=seed, first=first)
    pdf = base64.encodebytes(random.Random(1).randbytes(150_000)).decode("ascii")
    for k, (name, text) in enumerate(issues):
        number = first + k
        date = text.splitlines()[0].rsplit(" - ", 1)[-1]
        y, rest = date.split("年")
        mo, d = rest.rstrip("日").split("月")
        stamp = f"{int(d):02d} {['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][int(mo) - 1]} {y}"
        if rnd.random() < 0.1:
            yield (f"From: Friend <friend{k}@example.net>\nSubject: lunch on {stamp}?\nDate: {stamp} 12:00:00 +0000\n"
                   f"Message-ID: <p{k}@example.net>\n\nSee you at 12? The cafe raised prices 5%.\n").encode()
        head = (f"From: =?utf-8?b?{base64.b64encode('AI周刊'.encode()).decode()}?= <weekly@aiweekly.example>\n"
                f"Subject: =?utf-8?b?{base64.b64encode(text.splitlines()[0].encode()).decode()}?=\n"
                f"Date: {stamp} 08:00:00 +0800\nMessage-ID: <{number}.9c1f@aiweekly.example>\n"
                f"List-Id: AI Weekly <aiweekly.example>\nList-Unsubscribe: <https://aiweekly.example/u?u=9c1f>\n"
                f"MIME-Version: 1.0\n")
        alt = ("Content-Type: multipart/alternative; boundary=\"alt\"\n\n--alt\n"
               "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
               f"{_qp(text)}\n--alt\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
               f"{_qp(_html(number, text))}\n--alt--\n")
        if k % 50 == 49:
            body = ("Content-Type: multipart/mixed; boundary=\"mix\"\n\n--mix\n" + alt + "--mix\n"
                    "Content-Type: application/pdf; name=\"report.pdf\"\nContent-Disposition: attachment\n"
                    f"Content-Transfer-Encoding: base64\n\n{pdf}--mix--\n")
        else:
            body = alt
        yield (head + body).encode("ascii")


def write_mbox(path: Path, msgs, mode: str = "wb") -> int:
    n = 0
    with path.open(mode) as f:
        for m in msgs:
            f.write(b"From weekly@aiweekly.example Thu Jan  4 08:00:00 2024\n")
            f.write(b"\n".join(b">" + ln if ln.startswith(b"From ") else ln for ln in m.rstrip(b"\n").split(b"\n")))
            f.write(b"\n\n")
            n += 1
    return n


# --- one measurement, in a child process --------------------------------------------------

def child(what: str, mbox: str, out: str, model: str) -> dict:
    t = time.perf_counter()
    if what == "read":
        from kg.ingest import read_path
        issues = read_path(mbox)
        dt = time.perf_counter() - t
        return {"seconds": dt, "issues": len(issues), "items": sum(len(i.items) for i in issues),
                "peak_mb": peak_mb()}
    from kg.build import build
    res = build([mbox], out, model=model)
    dt = time.perf_counter() - t
    return {"seconds": dt, "issues": res.issues, "items": res.items, "triples": res.triples,
            "extracted": res.extracted, "reused": res.reused, "skipped": len(res.skipped), "peak_mb": peak_mb()}


def run_child(*args: str) -> dict:
    p = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"child {args} failed:\n{p.stderr}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--messages", type=int, default=10_000, help="newsletters in the mbox (personal mail comes on top)")
    ap.add_argument("--model", default="none", help="spaCy model for the build: none (rules only) or auto")
    ap.add_argument("--json", default=None, help="also write the figures to this file")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(child(*a.child)))
        return
    base = Path(tempfile.mkdtemp(prefix="kg-mail-bench-"))
    try:
        mbox = base / "inbox.mbox"
        t = time.perf_counter()
        total = write_mbox(mbox, messages(a.messages))
        size = mbox.stat().st_size
        print(f"mbox: {total:,} messages ({a.messages:,} newsletters), {size / 1e6:.1f} MB, "
              f"written in {time.perf_counter() - t:.1f} s", flush=True)
        read = run_child("read", str(mbox), "", a.model)
        print(f"read:        {read['issues']:,} issues, {read['items']:,} items in {read['seconds']:.1f} s = "
              f"{total / read['seconds']:,.0f} messages/s ({a.messages / read['seconds']:,.0f} newsletters/s), "
              f"peak RSS {read['peak_mb']:.0f} MB", flush=True)
        out = base / "out"
        full = run_child("build", str(mbox), str(out), a.model)
        print(f"build:       {full['issues']:,} issues, {full['triples']:,} triples in {full['seconds']:.1f} s = "
              f"{total / full['seconds']:,.0f} messages/s, peak RSS {full['peak_mb']:.0f} MB "
              f"(model {a.model})", flush=True)
        write_mbox(mbox, messages(10, seed=1, first=1000 + a.messages), mode="ab")
        inc = run_child("build", str(mbox), str(out), a.model)
        print(f"incremental: +10 messages: {inc['extracted']} extracted, {inc['reused']:,} reused, "
              f"{inc['seconds']:.1f} s ({inc['seconds'] / full['seconds']:.1%} of the full build), "
              f"peak RSS {inc['peak_mb']:.0f} MB", flush=True)
        figures = {"messages": total, "newsletters": a.messages, "mbox_mb": size / 1e6, "model": a.model,
                   "read": read, "build": full, "incremental": inc}
        if a.json:
            Path(a.json).write_text(json.dumps(figures, indent=1))
    finally:
        if a.keep:
            print(f"kept {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
