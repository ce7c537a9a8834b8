"""Command line: a thin click layer over the library API (kg.build, kg.query, ...).
Errors a user can act on are printed as one line (`Error: [E00x] ...`) with exit status 1."""
from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Optional

import click

from . import __version__
from .errors import KgError

INPUT_FORMATS = ["text", "markdown", "html", "rss", "atom", "feed", "jsonl", "mail"]

# The grammar every command follows (tests/test_cli_grammar.py walks the commands):
# * -o/--out names what the command writes: `build` its output folder, `viz` its HTML file.
#   Commands that only print have no -o.
# * A command that reads a build takes it as -b/--build DIR (default `out`, the folder
#   `kg build -o` wrote); when DIR holds no graph.ttl it stops with E160.
# * --format is the output format: table, json, csv or tsv wherever rows are printed (kg
#   query adds xml: csv, tsv, json and xml are then the W3C SPARQL results formats); kg
#   extract prints a document: text or json. The input format is --input-format.
# * -q/--quiet silences progress bars and per-file lines (bars show only on a terminal).
# * Choices are checked before anything runs, and the error names the valid ones.
# * Old spellings (-o DIR for the build to read, viz --graph FILE, --json, --csv, the
#   input format as --format) work for one more release, hidden, with one W020 line.
DEFAULT_BUILD = "out"
TABLE_FORMATS = ("table", "json", "csv", "tsv")
QUERY_FORMATS = ("table", "json", "csv", "tsv", "xml")
DOCUMENT_FORMATS = ("text", "json")


def _fail(e: Exception) -> None:
    raise click.ClickException(str(e))


def _deprecated(old: str, new: str) -> None:
    from .errors import warning
    click.echo(f"warning: {warning('W020', old=old, new=new)}", err=True)


def _terminal_width() -> Optional[int]:
    """The terminal's width when stdout is one (tables are fitted to it), else None."""
    if not sys.stdout.isatty():
        return None
    import shutil
    return shutil.get_terminal_size((100, 24)).columns


def _echo_rows(rows: list[dict], fmt: str, columns: list[str], footer: Optional[str] = None) -> None:
    from .table import render
    click.echo(render(rows, fmt, columns, total_width=_terminal_width(), footer=footer), nl=False)


def _show_progress(quiet: bool) -> bool:
    """Progress bars go to stderr, and only when it is a terminal and -q is not given."""
    return not quiet and sys.stderr.isatty()


def _stderr_size() -> tuple[int, int]:
    try:
        size = os.get_terminal_size(sys.stderr.fileno())
        return size.columns, size.lines
    except (OSError, ValueError):
        return 0, 0


class _Progress:
    """A tqdm bar on stderr for long work (or nothing, see _show_progress). With total=None
    it shows the elapsed time, ticking on its own until closed (work that reports no steps)."""

    def __init__(self, quiet: bool, desc: str, total: Optional[int] = None, unit: str = "it"):
        self.bar = None
        self._stop = None
        if not _show_progress(quiet):
            return
        from functools import partial
        from tqdm import tqdm
        # a terminal that reports no size (0 x 0, as a bare pty does) gets 80 x 24, else
        # tqdm draws nothing
        cols, rows = _stderr_size()
        tqdm = partial(tqdm, ncols=cols or 80, nrows=rows or 24)
        if total is None:
            import threading
            self.bar = tqdm(desc=desc, file=sys.stderr, bar_format="{desc}: {elapsed}", leave=False)
            self._stop = threading.Event()
            threading.Thread(target=self._tick, daemon=True).start()
        else:
            self.bar = tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, leave=False)

    def _tick(self):
        while not self._stop.wait(0.5):
            self.bar.refresh()

    def update(self, n: int = 1, desc: Optional[str] = None) -> None:
        if self.bar is not None:
            if desc:
                self.bar.set_description_str(desc, refresh=False)
            self.bar.update(n)

    def close(self) -> None:
        if self._stop is not None:
            self._stop.set()
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _written_summary(written: list[str], out_dir: str) -> str:
    """One line for the files a build wrote (instead of one line per file)."""
    issues = [p for p in written if Path(p).parent.name == "issues"]
    others = [p for p in written if p not in issues]
    parts = others[:]
    if issues:
        parts.append(f"{len(issues)} issue file(s) in {Path(issues[0]).parent}")
    return "wrote " + " and ".join(parts) if parts else f"wrote nothing in {out_dir}"


def build_option(legacy_out: bool = True):
    """-b/--build DIR: the build a command reads (one option, one default, one error).
    With legacy_out, the old spelling -o/--out DIR is accepted, hidden, with a W020 line."""
    def decorate(f):
        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            old = kwargs.pop("legacy_out", None)
            if old is not None:
                _deprecated("-o/--out DIR (the build to read)", "-b/--build DIR")
                kwargs["build_dir"] = old
            return f(*args, **kwargs)
        if legacy_out:
            wrapper = click.option("-o", "--out", "legacy_out", default=None, hidden=True,
                                   type=click.Path(file_okay=False))(wrapper)
        return click.option("-b", "--build", "build_dir", default=DEFAULT_BUILD, show_default=True,
                            type=click.Path(file_okay=False),
                            help="The build to read: the folder `kg build -o` wrote.")(wrapper)
    return decorate


def need_build(build_dir: str) -> Path:
    """BUILD/graph.ttl, or KgError E160 when the folder holds no build."""
    from .layout import graph_path
    return graph_path(build_dir)


def format_option(choices=TABLE_FORMATS, default: str = "table", help: Optional[str] = None,
                  legacy_flags: tuple[str, ...] = ()):
    """--format FORMAT: what the command prints. legacy_flags ("json", "csv") are the old
    --json/--csv flags, hidden, each with a W020 line."""
    def decorate(f):
        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            for flag in legacy_flags:
                if kwargs.pop(f"legacy_{flag}", False):
                    _deprecated(f"--{flag}", f"--format {flag}")
                    kwargs["fmt"] = flag
            return f(*args, **kwargs)
        for flag in legacy_flags:
            wrapper = click.option(f"--{flag}", f"legacy_{flag}", is_flag=True, hidden=True)(wrapper)
        text = help or ("Output format: an aligned table, or every field as JSON, CSV or TSV."
                        if tuple(choices) == TABLE_FORMATS else "Output format.")
        return click.option("--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
                            help=text)(wrapper)
    return decorate


def input_format_option(legacy_format: bool):
    """--input-format FORMAT (by default chosen from each file's content). With
    legacy_format, the old spelling --format FORMAT is accepted, hidden, with a W020 line."""
    def decorate(f):
        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            old = kwargs.pop("legacy_input_format", None)
            if old is not None:
                _deprecated("--format (the input format)", "--input-format")
                kwargs["input_format"] = old
            return f(*args, **kwargs)
        if legacy_format:
            wrapper = click.option("--format", "legacy_input_format", type=click.Choice(INPUT_FORMATS),
                                   default=None, hidden=True)(wrapper)
        return click.option("--input-format", "input_format", type=click.Choice(INPUT_FORMATS), default=None,
                            help="Input format; by default chosen from each file's content.")(wrapper)
    return decorate


def quiet_option(f):
    return click.option("-q", "--quiet", is_flag=True,
                        help="No progress bar and no per-file lines: errors and the summary only.")(f)


def _date(ctx, param, value):
    if value is None:
        return None
    import datetime as dt
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (expected YYYY-MM-DD)")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def cli():
    """Turn newsletter issues into a knowledge graph of entities, events, metrics and
    sources; export it as Turtle and query it.

    Start with `kg build examples/ -o out/`, then look at out/graph.ttl.
    """


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--out", "out_dir", default="out", show_default=True, type=click.Path(file_okay=False),
              help="Output folder: graph.ttl (merged) and issues/*.ttl (one per issue).")
@click.option("--model", default="auto", show_default=True,
              help="spaCy model for English NER: 'auto' uses en_core_web_sm (or its installed "
                   "re-upload) when present, 'none' uses gazetteer and rules only, or a model name.")
@input_format_option(legacy_format=True)
@click.option("--newsletter", default=None, help="Newsletter name, when the file does not say it.")
@click.option("--number", type=int, default=None, help="Issue number, when the file does not say it.")
@click.option("--date", callback=_date, default=None, help="Issue date YYYY-MM-DD, when the file does not say it.")
@click.option("--url", default=None, help="Issue URL, when the file does not say it.")
@click.option("--gazetteer", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Gazetteer TSV to use instead of the shipped one (ontology/gazetteer/entities.tsv and generated.tsv).")
@quiet_option
@click.option("--rebuild", is_flag=True,
              help="Re-extract every issue; by default issues unchanged since the last build into OUT "
                   "reuse their cached extraction (OUT/.kg/), with identical output.")
@click.option("-j", "--workers", type=int, default=1, show_default=True,
              help="Extract with N processes on this machine (0 = one per CPU); same output as 1.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Where extraction runs: this machine, or an existing Dask cluster (needs --scheduler "
                   "and pip install 'kg[dask]'); resolution and writing stay here.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Dask scheduler address (tcp://HOST:8786) for --engine dask; implies --engine dask.")
@click.option("--from", "senders", multiple=True, metavar="SENDER",
              help="Mail: only messages from this sender (an address, @domain, domain or part of the name; "
                   "repeatable), including those without List-Id/List-Unsubscribe headers.")
@click.option("--list-id", "list_ids", multiple=True, metavar="ID",
              help="Mail: only messages of this mailing list (part of its List-Id, or its name; repeatable).")
@click.option("--since", callback=_date, default=None, help="Mail: only messages dated on or after YYYY-MM-DD.")
@click.option("--until", callback=_date, default=None, help="Mail: only messages dated on or before YYYY-MM-DD.")
@click.option("--validate", "validate_after", is_flag=True,
              help="Then check the graph against the SHACL shapes as `kg validate` does; exit status 3 "
                   "when it does not conform.")
@click.option("--prune", is_flag=True,
              help="Remove from OUT the issues built from inputs not given this time (by default the build "
                   "stops and names them). Issues whose file was removed from an input folder go anyway.")
@click.option("--follow-symlinks", is_flag=True,
              help="Read symbolic links in input folders (and a Maildir's message files) that point outside "
                   "them (by default they are skipped and reported).")
def build(inputs, out_dir, model, input_format, newsletter, number, date, url, gazetteer, quiet, rebuild, workers,
          engine, scheduler, senders, list_ids, since, until, validate_after, prune, follow_symlinks):
    """Build the graph from newsletter issues (files or folders).

    Writes OUT/graph.ttl (every issue, merged) and OUT/issues/NAME.ttl (one per issue).
    A file that cannot be read is reported and skipped, and so is a bad part of a file
    (a line, an entry, an item) with a warning naming file and line; the exit status is 1
    when nothing could be built, 2 when some input was skipped, 3 when --validate found
    violations, 0 otherwise. Ctrl-C or
    SIGTERM stops the build and leaves the previous output as it was (exit 130 / 143).

    Mail is read where it arrives: .eml files, mbox archives (Google Takeout, Thunderbird,
    Apple Mail exports) and Maildir folders, one issue per message; in a mailbox only
    newsletters (messages with List-Id or List-Unsubscribe) unless --from names a sender.
    """
    from .build import Overrides, build as run_build
    from .errors import SKIPPED_WARNINGS
    from .ingest.mail import MailOptions

    if since and until and since > until:
        _fail(KgError("E096", since=since, until=until))
    fmt = "text" if input_format == "markdown" else input_format
    bar = {}

    def on_start(n: int):
        if n > 1:
            bar["t"] = _Progress(quiet, "extracting", total=n, unit="issue")

    def progress(issue):
        if "t" in bar:
            bar["t"].update(1)

    previous = _interrupt_handlers()
    try:
        res = run_build(list(inputs), out_dir, model=model, fmt=fmt,
                        overrides=Overrides(newsletter, number, date, url), gazetteer=gazetteer,
                        progress=progress, on_start=on_start, workers=workers, engine=engine,
                        scheduler=scheduler, rebuild=rebuild, follow_symlinks=follow_symlinks, prune=prune,
                        mail=MailOptions(tuple(senders), tuple(list_ids), since, until))
    except KgError as e:
        _fail(e)
    except KeyboardInterrupt as e:
        signum = getattr(e, "signum", 2)
        name = "SIGTERM" if signum == 15 else "SIGINT"
        if "t" in bar:
            bar["t"].close()
            bar.clear()
        click.echo(f"kg build: interrupted ({name}); no file in {out_dir} was left half-written", err=True)
        sys.exit(128 + signum)
    finally:
        _restore_handlers(previous)
        if "t" in bar:
            bar["t"].close()
    for path, msg in res.skipped:
        click.echo(f"skipped: {msg}", err=True)
    if not quiet:
        for w in res.warnings:
            click.echo(f"warning: {w}", err=True)
    click.echo(f"built {res.issues} issue(s), {res.items} items: {res.entities} entities, "
               f"{res.events} events, {res.metrics} metrics, {res.triples} triples "
               f"({'model ' + res.model if res.model else 'rules only, no statistical model'}; "
               f"{res.extracted} extracted, {res.reused} unchanged file(s) reused)")
    if not quiet:
        click.echo(_written_summary(res.written, out_dir))
    parts = [w for w in res.warnings if w.startswith(tuple(f"[{c}]" for c in SKIPPED_WARNINGS))]
    if parts and quiet:
        click.echo(f"skipped {len(parts)} part(s) of the input; run without -q to see where", err=True)
    if validate_after:
        try:
            rep = _run_validation(out_dir, None, "oxigraph", quiet)
        except KgError as e:
            _fail(e)
        _print_validation(rep, "table")
        if not rep.conforms:
            sys.exit(3)
    if res.skipped or parts:
        sys.exit(2)


class _Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM during a build, raised where the program is, so that every
    `finally` and write_atomic's clean-up runs."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _interrupt_handlers() -> dict:
    import signal

    def handler(signum, frame):
        raise _Interrupted(signum)

    previous = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            previous[sig] = signal.signal(sig, handler)
        except (ValueError, OSError):  # not the main thread (e.g. inside a test runner)
            pass
    return previous


def _restore_handlers(previous: dict) -> None:
    import signal

    for sig, h in previous.items():
        try:
            signal.signal(sig, h)
        except (ValueError, OSError, TypeError):
            pass


class _ExtractFormat(click.Choice):
    """kg extract's --format: text or json. Until the next release it also takes an input
    format, the old meaning of --format here, with a W020 line."""

    def convert(self, value, param, ctx):
        if value in INPUT_FORMATS and value not in self.choices:
            _deprecated(f"--format {value} (the input format)", f"--input-format {value}")
            ctx.meta["kg.legacy_input_format"] = value
            return "text"
        return super().convert(value, param, ctx)


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=_ExtractFormat(DOCUMENT_FORMATS), default="text", show_default=True,
              help="Output format: a readable listing, or JSON (the documented view, see kg/view.py).")
@click.option("--json", "legacy_json", is_flag=True, hidden=True)
@click.option("--model", default="auto", show_default=True, help="spaCy model: 'auto', 'none' or a model name.")
@input_format_option(legacy_format=False)
@click.option("--date", callback=_date, default=None, help="Issue date YYYY-MM-DD, when the file does not say it.")
@click.option("--gazetteer", type=click.Path(exists=True, dir_okay=False), default=None, help="Gazetteer TSV.")
@click.pass_context
def extract(ctx, inputs, fmt, legacy_json, model, input_format, date, gazetteer):
    """Show what the pipeline extracts from issues, item by item, before RDF."""
    import json as _json

    from .build import Overrides, extract_all, read_issues
    from .resolve import resolve
    from .view import issue_view

    if legacy_json:
        _deprecated("--json", "--format json")
        fmt = "json"
    input_format = input_format or ctx.meta.get("kg.legacy_input_format")
    fmt_in = "text" if input_format == "markdown" else input_format
    as_json = fmt == "json"
    try:
        issues = read_issues(list(inputs), fmt_in, Overrides(date=date))
        exs, used = extract_all(issues, model, gazetteer)
    except KgError as e:
        _fail(e)
    from . import gazetteer as gz
    kb = resolve(exs, gz.load(gazetteer))
    views = [issue_view(kb, ix, used) for ix in kb.issues]
    if as_json:
        click.echo(_json.dumps(views if len(views) > 1 else views[0], ensure_ascii=False, indent=2))
        return
    for v in views:
        i = v["issue"]
        click.echo(f"# {i['newsletter']} #{i['number']} {i['date']} ({i['source_file']}); "
                   f"{'model ' + v['model'] if v['model'] else 'rules only'}")
        # how the newsletter was cut: one row per item
        rows = [{"id": it["id"], "kind": it["kind"], "section": it["section"] or "-",
                 "outlet": it["source"] or it["outlet"] or "-",
                 "headline": it["headline"] or " ".join((it["text"] or "").split())[:60]} for it in v["items"]]
        from .table import format_table as _table
        click.echo(_table(rows, ["id", "kind", "section", "outlet", "headline"], _terminal_width()), nl=False)
        for it in v["items"]:
            if it["kind"] in ("sponsor", "boilerplate"):
                continue
            if not (it["entities"] or it["metrics"] or it["events"]):
                continue
            click.echo(f"[{it['id']}] {it['headline'] or it['kind']} | {it['source'] or '-'} | {it['date']}")
            if it["entities"]:
                click.echo("   entities: " + "; ".join(sorted({f"{e['name']} ({e['type']})" for e in it["entities"]})))
            for m in it["metrics"]:
                q = ",".join(m["qualifiers"])
                click.echo(f"   metric: {m['subject'] or '?'} {m['measure']} {m['value']} {m['unit']}"
                           + (f" [{q}]" if q else "") + f"  «{m['text']}»")
            for e in it["events"]:
                click.echo(f"   event: {e['type']} {', '.join(e['actors'])}  «{e['cue']}»")


@cli.command(name="eval")
@click.argument("gold", nargs=-1, required=True, type=click.Path())
@click.option("--model", default="auto", show_default=True, help="spaCy model: 'auto', 'none' or a model name.")
@click.option("--corpus-dir", multiple=True, type=click.Path(file_okay=False),
              help="Where to look for the gold files' corpus files (besides next to the gold file and ../corpus).")
@format_option(legacy_flags=("json",))
@click.option("--show-errors", is_flag=True, help="List every miss and every spurious extraction with its item.")
@click.option("--gazetteer", type=click.Path(exists=True, dir_okay=False), default=None, help="Gazetteer TSV.")
def eval_(gold, model, corpus_dir, fmt, show_errors, gazetteer):
    """Score extraction against gold annotations: precision, recall and F1 for entities,
    metrics and events; metric-subject, source and date accuracy; per language and overall."""
    import json as _json

    from .eval import evaluate, format_errors, format_table

    try:
        res = evaluate(list(gold), model=model, corpus_dirs=list(corpus_dir), gazetteer=gazetteer)
    except KgError as e:
        _fail(e)
    if fmt == "json":
        if not show_errors:
            res = {k: v for k, v in res.items() if k != "errors"}
        click.echo(_json.dumps(res, ensure_ascii=False, indent=2))
        return
    if fmt in ("csv", "tsv"):
        rows = _eval_rows(res)
        _echo_rows(rows, fmt, list(rows[0]))
        return
    click.echo(format_table(res))
    if show_errors and res["errors"]:
        click.echo("")
        click.echo(format_errors(res))


def _eval_rows(res: dict) -> list[dict]:
    """The score table as rows (one per language, then overall), for CSV and TSV."""
    rows = []
    for name, d in list(res["languages"].items()) + [("overall", res["overall"])]:
        row = {"scope": name, "items": d["items"], "model": res["model"] or "none"}
        for part in ("entities", "metrics", "events"):
            for k in ("precision", "recall", "f1"):
                row[f"{part}_{k}"] = round(d[part][k], 4)
        for part in ("subject_accuracy", "source_accuracy", "date_accuracy"):
            row[part] = round(d[part]["accuracy"], 4)
        rows.append(row)
    return rows


def _entity_types(ctx, param, value):
    """--type: comma-separated entity types, each one of kg.model.ENTITY_TYPES."""
    if value is None:
        return None
    from .model import ENTITY_TYPES
    known = {t.casefold(): t for t in ENTITY_TYPES}
    out = []
    for t in (x.strip() for x in value.split(",")):
        if not t:
            continue
        if t.casefold() not in known:
            raise click.BadParameter(f"unknown entity type {t!r} (the types are {', '.join(ENTITY_TYPES)})")
        out.append(known[t.casefold()])
    return out or None


@cli.command()
@build_option()
@format_option(TABLE_FORMATS)
@click.option("--type", "types", default=None, callback=_entity_types, metavar="TYPES",
              help="Only these types, comma-separated: Organization, Person, Place, Product, Index, Asset, Outlet.")
@click.option("--limit", type=click.IntRange(min=0), default=None, help="Show at most N entities.")
def entities(build_dir, fmt, types, limit):
    """List canonical entities with their aliases, type, and how many items and issues
    mention them (most mentioned first)."""
    from .explore import entities as list_entities, load_store

    try:
        rows = list_entities(load_store(build_dir))
    except KgError as e:
        _fail(e)
    if types:
        rows = [r for r in rows if r["type"] in types]
    if limit is not None:
        rows = rows[:limit]
    _echo_rows(rows, fmt, ["name", "type", "items", "issues", "aliases", "id"])


@cli.command()
@click.argument("entity")
@build_option()
@format_option(TABLE_FORMATS, legacy_flags=("json", "csv"))
def timeline(entity, build_dir, fmt):
    """Every event and metric about ENTITY (a name, alias or ticker, any language) across
    issues, in date order, with its source and evidence."""
    from .explore import load_store, timeline as run_timeline

    try:
        rows = run_timeline(load_store(build_dir), entity)
    except KgError as e:
        _fail(e)
    _echo_rows(rows, fmt, ["date", "kind", "what", "value", "unit", "outlet", "issue", "evidence"])


@cli.command()
@build_option()
@format_option(TABLE_FORMATS)
@click.option("--entity", default=None, help="Only figures about this entity (name, alias or ticker, any language).")
def conflicts(build_dir, fmt, entity):
    """Figures on which sources disagree: the same subject, measure, unit, qualifier and date
    reported with different values, or metrics the build linked with kg:conflictsWith. The
    rows of `kg query conflicts` (one definition: kg/queries/conflicts.rq)."""
    from .explore import CONFLICT_COLUMNS, conflicts as list_conflicts, load_store

    try:
        rows = list_conflicts(load_store(build_dir), entity)
    except KgError as e:
        _fail(e)
    _echo_rows(rows, fmt, CONFLICT_COLUMNS)


@cli.command()
@build_option(legacy_out=False)
@click.option("--graph", "legacy_graph", default=None, hidden=True, type=click.Path(dir_okay=False))
@click.option("-o", "--out", "out_path", default=None, type=click.Path(dir_okay=False),
              help="The HTML file to write (one self-contained file). Default: in BUILD, named after the "
                   "view: graph.html for the entity map, graph-all.html, graph-focus-microsoft-2hops.html, "
                   "...; a page written over is named on stderr.")
@click.option("--all", "all_nodes", is_flag=True,
              help="Draw every entity, event and metric as a node (the full view, for small builds) "
                   "instead of the entity map.")
@click.option("--focus", default=None, help="Only the neighbourhood of this entity (label or any alias, "
              "case-insensitive, Chinese too).")
@click.option("--hops", default=2, show_default=True, type=click.IntRange(0, 20),
              help="How far from --focus to go.")
@click.option("--types", default=None, help="Node types to keep, comma-separated: Organization, Person, "
              "Place, Product, Index, Asset, Outlet or Entity; with --all also Event, Metric or an event "
              "class (Funding, ...).")
@click.option("--since", callback=_date, default=None, help="Only facts dated on or after YYYY-MM-DD.")
@click.option("--until", callback=_date, default=None, help="Only facts dated on or before YYYY-MM-DD.")
@click.option("--issue", default=None, help="Only what this issue reports: a number (462) or NEWSLETTER/NUMBER.")
@click.option("--fold-metrics", is_flag=True, help="With --all: show metrics as figures of their event or "
              "subject, not as nodes.")
@click.option("--max-nodes", type=int, default=None,
              help="Entity map: how many entities to draw at first, most mentioned first (default 300; the "
                   "others stay in the page, found by search). With --all: keep only the N most-mentioned nodes.")
@click.option("--title", default=None, help="Page title.")
@quiet_option
def viz(build_dir, legacy_graph, out_path, all_nodes, focus, hops, types, since, until, issue, fold_metrics,
        max_nodes, title, quiet):
    """Write an interactive, offline HTML page of the graph (vis-network inlined).

    By default an entity map: entities sized by mentions, joined when they share items or
    events, the most-mentioned drawn first. Click an entity for its figures over time (one
    chart per measure), events and sources; search finds every entity in the page, also
    those not drawn; From/to sets the period. --all draws every event and metric too.
    """
    from .errors import warning
    from .viz import viz as run_viz

    def warn(msg):
        click.echo(f"kg viz: {msg}", err=True)

    try:
        if legacy_graph is not None:
            _deprecated("--graph FILE", "-b/--build DIR (which holds graph.ttl)")
            graph_path = legacy_graph
        else:
            graph_path = str(need_build(build_dir))
        with _Progress(quiet, "drawing the graph"):
            res = run_viz(graph_path, out_path, all_nodes=all_nodes, focus=focus, hops=hops, types=types,
                          since=since, until=until, issue=issue, fold_metrics=fold_metrics, max_nodes=max_nodes,
                          title=title, warn=warn)
    except KgError as e:
        _fail(e)
    if res.replaced:
        warn(warning("W030", path=res.out, what=res.replaced))
    if res.notice:
        warn(res.notice)
    if res.mode == "map":
        what = f"entity map, {res.nodes:,} of {res.total:,} entities drawn"
    else:
        what = f"{res.nodes:,}" + (f" of {res.total:,}" if res.nodes != res.total else "") + " nodes"
    click.echo(f"wrote {res.out}: {what}, {res.edges:,} edges, {res.bytes / 1e6:.1f} MB")


@cli.command()
@click.option("--endpoint", required=True, metavar="URL",
              help="Graph Store HTTP Protocol endpoint of a SPARQL 1.1 server, e.g. "
                   "http://127.0.0.1:7878/store (Oxigraph) or http://HOST:3030/DATASET/data (Fuseki).")
@build_option()
@click.option("--graph", "graph_iri", default=None, metavar="IRI",
              help="Push the merged OUT/graph.ttl into this one named graph, instead of one named "
                   "graph per issue (named by the issue's IRI).")
@click.option("--mode", type=click.Choice(["replace", "merge"]), default="replace", show_default=True,
              help="replace: the graph's old content goes (HTTP PUT); merge: triples are added (POST).")
@click.option("--timeout", type=float, default=60.0, show_default=True,
              help="Seconds each request may take in all (connecting, sending, the answer).")
@click.option("--user", default=None, envvar="KG_SPARQL_USER", metavar="NAME[:PASSWORD]",
              help="HTTP Basic credentials (also KG_SPARQL_USER; the password also KG_SPARQL_PASSWORD, or "
                   "user:password@ in the URL). Never printed: passwords and URL parameter values show as ***.")
@quiet_option
def push(endpoint, build_dir, graph_iri, mode, timeout, user, quiet):
    """Load the built graph into a SPARQL server, one named graph per issue (or all of it
    into --graph IRI). Each graph is uploaded in one request, so it is stored whole or not
    at all; on a failure the push stops and says which graphs were pushed and which not."""
    from .remote import push as run_push

    bar = _Progress(True, "pushing")

    def pushed(iri, path):
        if bar.bar is not None:
            bar.update(1)
        elif not quiet:             # not a terminal: a log line per graph
            click.echo(f"  pushed <{iri}> from {path}")

    try:
        need_build(build_dir)
        # one graph per issue and the links between issues (or the merged graph into --graph)
        total = 1 if graph_iri else len(list((Path(build_dir) / "issues").glob("*.ttl"))) + 1
        bar = _Progress(quiet, "pushing", total=total, unit="graph")
        res = run_push(build_dir, endpoint, graph=graph_iri, mode=mode, timeout=timeout, on_pushed=pushed, user=user)
    except KgError as e:
        bar.close()
        _fail(e)
    bar.close()
    click.echo(f"pushed {len(res.pushed)} graph(s), {res.bytes / 1e6:.1f} MB of Turtle, to {res.endpoint} ({mode})")


@cli.command()
@click.argument("query_arg", metavar="[QUERY | NAME]", required=False)
@click.option("-f", "--file", "query_file", type=click.Path(dir_okay=False, allow_dash=True), default=None,
              help="Read the SPARQL query from this file ('-' for stdin).")
@click.option("--list", "list_queries", is_flag=True, help="List the named queries, what each answers and its parameters.")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind ?NAME to VALUE (a string literal, or an IRI written <...>); repeatable. A named "
                   "query's entity parameter matches labels, aliases and tickers, case-insensitively.")
@format_option(QUERY_FORMATS, help="SELECT/ASK results: an aligned table, or a W3C SPARQL 1.1 results format "
                                   "(json, csv, tsv, xml). CONSTRUCT/DESCRIBE always print Turtle.")
@build_option()
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None, metavar="SECONDS",
              help="Give up (exit status 1) when the query has not finished after SECONDS.")
@click.option("--allow-remote", is_flag=True, help="Allow SERVICE and FROM <http…> (off: nothing reaches the network).")
@click.option("--endpoint", default=None, metavar="URL",
              help="Query a SPARQL 1.1 server instead of OUT (e.g. http://127.0.0.1:7878/query for Oxigraph; "
                   "fill it with `kg push`). The usual prefixes are sent along; --param values are bound "
                   "as for a local query.")
@click.option("--user", default=None, envvar="KG_SPARQL_USER", metavar="NAME[:PASSWORD]",
              help="HTTP Basic credentials for --endpoint, as for kg push.")
def query(query_arg, query_file, list_queries, params, fmt, build_dir, timeout, allow_remote, endpoint, user):
    """Run a SPARQL query over the built graph: QUERY text, -f FILE, or a named query NAME
    (see --list). The usual prefixes (kg, schema, prov, skos, rdfs, xsd, ent, ...) are
    predeclared. Read-only. ASK exits with status 0 when true, 1 when false.

    \b
    kg query --list
    kg query metrics-about --param entity=Microsoft
    kg query 'SELECT ?m ?v WHERE { ?m kg:value ?v } LIMIT 5' --format csv
    """
    import os
    from . import query as q

    previous = _interrupt_handlers()
    try:
        if list_queries:
            for nq in q.list_queries():
                click.echo(f"{nq.name}\n    {nq.description}")
                for p in nq.params:
                    dflt = "required" if p.required else f"default {p.default!r}" if p.default else "optional"
                    click.echo(f"    --param {p.name}=…  {p.description} ({dflt})")
            return
        if (query_arg is None) == (query_file is None):
            raise click.UsageError("give a query (text or a name from --list) or -f FILE, not both")
        named = None
        if query_file is not None:
            text = q.read_query_file(query_file)
        elif q.looks_like_name(query_arg):
            named = q.load_named(query_arg)
            text = named.text
        else:
            text = query_arg
        given = dict(q.parse_param(p) for p in params)
        bound = q.bind_params(named, given)
        q.check_query(text, allow_remote)
        if endpoint:
            import time
            from . import remote
            end = time.monotonic() + timeout if timeout else None   # --timeout: for every request together

            def remote_select(t):
                return remote.query(endpoint, remote.with_prefixes(t, q.PREFIXES), timeout=timeout, user=user,
                                    until=end).rows

            # parameters are bound as for the local store (entity names resolved first)
            terms = q.param_terms(bound, q._kinds(named), remote_select)
            res = remote.query(endpoint, remote.with_prefixes(q.bind_text(text, terms), q.PREFIXES),
                               timeout=timeout, user=user, until=end)
        else:
            store = q.open_store(build_dir)
            res = q.run_query(store, text, bound, allow_remote=allow_remote, timeout=timeout, named=named)
    except KgError as e:
        if e.code == "E131":            # the worker thread cannot be stopped: leave now
            click.echo(f"Error: {e}", err=True)
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(1)
        _fail(e)
    except KeyboardInterrupt as e:      # Ctrl-C or SIGTERM: the query (or the store load) is abandoned
        signum = getattr(e, "signum", 2)
        click.echo(f"kg query: interrupted ({'SIGTERM' if signum == 15 else 'SIGINT'})", err=True)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(128 + signum)
    finally:
        _restore_handlers(previous)
    for note in getattr(res, "notes", []):
        click.echo(f"warning: {note}", err=True)
    click.echo(q.format_result(res, fmt, _terminal_width()), nl=False)
    if res.kind == "ask":
        sys.exit(0 if res.boolean else 1)


@cli.command()
@build_option()
@click.option("--shapes", type=click.Path(dir_okay=False), default=None,
              help="SHACL shapes to check against (default: the ontology's shapes.ttl).")
@format_option(TABLE_FORMATS, legacy_flags=("json",),
               help="Output format: a table of the results and a summary line; json (the report: "
                    "conforms, counts, results), csv or tsv (one line per result).")
@click.option("--engine", type=click.Choice(["oxigraph", "pyshacl"]), default="oxigraph", show_default=True,
              help="oxigraph: each constraint as one SPARQL query on the build's query store (seconds); "
                   "pyshacl: the reference engine, node by node (minutes on large builds).")
@quiet_option
def validate(build_dir, shapes, fmt, engine, quiet):
    """Check the built graph (BUILD/graph.ttl) against the SHACL shapes and list every
    violation (focus node, path, message, severity). Exit status 1 when it does not conform."""
    try:
        rep = _run_validation(build_dir, shapes, engine, quiet)
    except KgError as e:
        _fail(e)
    _print_validation(rep, fmt)
    if not rep.conforms:
        sys.exit(1)


def _run_validation(build_dir: str, shapes: Optional[str], engine: str, quiet: bool):
    from .validate import validate_out

    bar = _Progress(True, "validating")

    def on_start(n: int):
        nonlocal bar
        bar.close()
        bar = _Progress(quiet, "validating", total=n, unit="check")

    try:
        if engine == "pyshacl":
            bar = _Progress(quiet, "validating (pyshacl)")
        rep = validate_out(build_dir, shapes, engine=engine, on_start=on_start, progress=bar.update)
    finally:
        bar.close()
    for note in rep.notes:
        click.echo(f"warning: {note}", err=True)
    return rep


def _print_validation(rep, fmt: str) -> None:
    import json
    from .validate import RESULT_COLUMNS, summary

    if fmt == "json":
        click.echo(json.dumps(rep.to_json(), ensure_ascii=False, indent=2))
    else:
        rows = rep.rows()
        if fmt != "table":
            _echo_rows(rows, fmt, RESULT_COLUMNS)
            click.echo(summary(rep), err=True)
        elif rows:
            _echo_rows(rows, fmt, RESULT_COLUMNS, footer=summary(rep))
        else:
            click.echo(summary(rep))

def main(argv: Optional[list[str]] = None):  # pragma: no cover - console entry point
    cli.main(args=argv, prog_name="kg")


if __name__ == "__main__":  # pragma: no cover
    main()
