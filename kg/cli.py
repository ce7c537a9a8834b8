"""Command line: a thin click layer over the library API (kg.build, kg.query, ...).
Errors a user can act on are printed as one line (`Error: [E00x] ...`) with exit status 1."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import click

from . import __version__
from .errors import KgError

INPUT_FORMATS = ["text", "markdown", "html", "rss", "atom", "feed", "jsonl"]


def _fail(e: Exception) -> None:
    raise click.ClickException(str(e))


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
@click.option("--format", "fmt", type=click.Choice(INPUT_FORMATS), default=None,
              help="Input format; by default chosen from each file's content.")
@click.option("--newsletter", default=None, help="Newsletter name, when the file does not say it.")
@click.option("--number", type=int, default=None, help="Issue number, when the file does not say it.")
@click.option("--date", callback=_date, default=None, help="Issue date YYYY-MM-DD, when the file does not say it.")
@click.option("--url", default=None, help="Issue URL, when the file does not say it.")
@click.option("--gazetteer", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Gazetteer TSV to use instead of ontology/gazetteer/entities.tsv.")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors and the summary line.")
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
@click.option("--prune", is_flag=True,
              help="Remove from OUT the issues built from inputs not given this time (by default the build "
                   "stops and names them). Issues whose file was removed from an input folder go anyway.")
@click.option("--follow-symlinks", is_flag=True,
              help="Read symbolic links in input folders that point outside them (by default they are "
                   "skipped and reported).")
def build(inputs, out_dir, model, fmt, newsletter, number, date, url, gazetteer, quiet, rebuild, workers,
          engine, scheduler, prune, follow_symlinks):
    """Build the graph from newsletter issues (files or folders).

    Writes OUT/graph.ttl (every issue, merged) and OUT/issues/NAME.ttl (one per issue).
    A file that cannot be read is reported and skipped, and so is a bad part of a file
    (a line, an entry, an item) with a warning naming file and line; the exit status is 1
    when nothing could be built, 2 when some input was skipped, 0 otherwise. Ctrl-C or
    SIGTERM stops the build and leaves the previous output as it was (exit 130 / 143).
    """
    from .build import Overrides, build as run_build
    from .errors import SKIPPED_WARNINGS

    if fmt == "markdown":
        fmt = "text"
    bar = {}

    def on_start(n: int):
        if n > 1 and not quiet and sys.stderr.isatty():
            from tqdm import tqdm
            bar["t"] = tqdm(total=n, unit="issue", desc="extracting", file=sys.stderr)

    def progress(issue):
        if "t" in bar:
            bar["t"].update(1)

    previous = _interrupt_handlers()
    try:
        res = run_build(list(inputs), out_dir, model=model, fmt=fmt,
                        overrides=Overrides(newsletter, number, date, url), gazetteer=gazetteer,
                        progress=progress, on_start=on_start, workers=workers, engine=engine,
                        scheduler=scheduler, rebuild=rebuild, follow_symlinks=follow_symlinks, prune=prune)
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
        for p in res.written:
            click.echo(f"  wrote {p}")
    parts = [w for w in res.warnings if w.startswith(tuple(f"[{c}]" for c in SKIPPED_WARNINGS))]
    if parts and quiet:
        click.echo(f"skipped {len(parts)} part(s) of the input; run without -q to see where", err=True)
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


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the extraction as JSON (the documented view, see kg/view.py).")
@click.option("--model", default="auto", show_default=True, help="spaCy model: 'auto', 'none' or a model name.")
@click.option("--format", "fmt", type=click.Choice(INPUT_FORMATS), default=None, help="Input format.")
@click.option("--date", callback=_date, default=None, help="Issue date YYYY-MM-DD, when the file does not say it.")
@click.option("--gazetteer", type=click.Path(exists=True, dir_okay=False), default=None, help="Gazetteer TSV.")
def extract(inputs, as_json, model, fmt, date, gazetteer):
    """Show what the pipeline extracts from issues, item by item, before RDF."""
    import json as _json

    from .build import Overrides, extract_all, read_issues
    from .resolve import resolve
    from .view import issue_view

    if fmt == "markdown":
        fmt = "text"
    try:
        issues = read_issues(list(inputs), fmt, Overrides(date=date))
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
        for it in v["items"]:
            click.echo(f"[{it['id']}] {it['source'] or '-'} | {it['headline'] or it['kind']} | {it['date']}")
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
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--show-errors", is_flag=True, help="List every miss and every spurious extraction with its item.")
@click.option("--gazetteer", type=click.Path(exists=True, dir_okay=False), default=None, help="Gazetteer TSV.")
def eval_(gold, model, corpus_dir, as_json, show_errors, gazetteer):
    """Score extraction against gold annotations: precision, recall and F1 for entities,
    metrics and events; metric-subject, source and date accuracy; per language and overall."""
    import json as _json

    from .eval import evaluate, format_errors, format_table

    try:
        res = evaluate(list(gold), model=model, corpus_dirs=list(corpus_dir), gazetteer=gazetteer)
    except KgError as e:
        _fail(e)
    if as_json:
        if not show_errors:
            res = {k: v for k, v in res.items() if k != "errors"}
        click.echo(_json.dumps(res, ensure_ascii=False, indent=2))
        return
    click.echo(format_table(res))
    if show_errors and res["errors"]:
        click.echo("")
        click.echo(format_errors(res))


def _graph_option(f):
    return click.option("-o", "--out", "out_dir", default="out", show_default=True, type=click.Path(file_okay=False),
                        help="The build's output folder (reads OUT/graph.ttl).")(f)


def _table_format_option(f):
    return click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
                        show_default=True, help="Output format.")(f)


@cli.command()
@_graph_option
@_table_format_option
@click.option("--type", "types", default=None, help="Only these types, comma-separated (Organization,Person,...).")
@click.option("--limit", type=int, default=None, help="Show at most N entities.")
def entities(out_dir, fmt, types, limit):
    """List canonical entities with their aliases, type, and how many items and issues
    mention them (most mentioned first)."""
    from .explore import entities as list_entities, load_store, render

    try:
        rows = list_entities(load_store(str(Path(out_dir) / "graph.ttl")))
    except KgError as e:
        _fail(e)
    if types:
        wanted = {t.strip().casefold() for t in types.split(",")}
        rows = [r for r in rows if r["type"].casefold() in wanted]
    if limit is not None:
        rows = rows[:limit]
    click.echo(render(rows, fmt, ["name", "type", "items", "issues", "aliases", "id"]))


@cli.command()
@click.argument("entity")
@_graph_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
def timeline(entity, out_dir, as_json, as_csv):
    """Every event and metric about ENTITY (a name, alias or ticker, any language) across
    issues, in date order, with its source and evidence."""
    from .explore import load_store, render, timeline as run_timeline

    try:
        rows = run_timeline(load_store(str(Path(out_dir) / "graph.ttl")), entity)
    except KgError as e:
        _fail(e)
    cols = ["date", "kind", "what", "value", "unit", "outlet", "issue", "evidence"]
    click.echo(render(rows, "json" if as_json else "csv" if as_csv else "table", cols))


@cli.command()
@_graph_option
@_table_format_option
def conflicts(out_dir, fmt):
    """Figures on which sources disagree: the same subject, measure and date reported with
    different values."""
    from .explore import conflicts as list_conflicts, load_store, render

    try:
        rows = list_conflicts(load_store(str(Path(out_dir) / "graph.ttl")))
    except KgError as e:
        _fail(e)
    click.echo(render(rows, fmt, ["subject", "measure", "date", "value_a", "source_a", "value_b", "source_b"]))


@cli.command()
@click.option("--graph", "graph_path", default="out/graph.ttl", show_default=True,
              type=click.Path(dir_okay=False), help="The built graph (Turtle) to draw.")
@click.option("-o", "--out", "out_path", default="out/graph.html", show_default=True,
              type=click.Path(dir_okay=False), help="The HTML file to write (one self-contained file).")
@click.option("--focus", default=None, help="Only the neighbourhood of this entity (label or any alias, "
              "case-insensitive, Chinese too).")
@click.option("--hops", default=2, show_default=True, type=click.IntRange(0, 20),
              help="How far from --focus to go.")
@click.option("--types", default=None, help="Node types to keep, comma-separated: Organization, Person, "
              "Place, Product, Index, Asset, Outlet, Event, Metric, Entity or an event class (Funding, ...).")
@click.option("--since", callback=_date, default=None, help="Only facts dated on or after YYYY-MM-DD.")
@click.option("--until", callback=_date, default=None, help="Only facts dated on or before YYYY-MM-DD.")
@click.option("--issue", default=None, help="Only what this issue reports: a number (462) or NEWSLETTER/NUMBER.")
@click.option("--fold-metrics", is_flag=True, help="Show metrics as figures of their event or subject, not as nodes.")
@click.option("--max-nodes", type=int, default=None, help="Keep only the N most-mentioned nodes.")
@click.option("--title", default=None, help="Page title.")
def viz(graph_path, out_path, focus, hops, types, since, until, issue, fold_metrics, max_nodes, title):
    """Write an interactive, offline HTML view of the graph (vis-network inlined).

    Hover a node for its aliases, figures, dates and sources; click to highlight its
    neighbourhood; search by name or alias; hide node types with the legend checkboxes.
    """
    from .viz import viz as run_viz

    try:
        res = run_viz(graph_path, out_path, focus=focus, hops=hops, types=types, since=since, until=until,
                      issue=issue, fold_metrics=fold_metrics, max_nodes=max_nodes, title=title)
    except KgError as e:
        _fail(e)
    if res.notice:
        click.echo(f"kg viz: {res.notice}", err=True)
    extra = f" of {res.total}" if res.nodes != res.total else ""
    click.echo(f"wrote {res.out}: {res.nodes}{extra} nodes, {res.edges} edges, {res.bytes / 1e6:.1f} MB")


@cli.command()
@click.option("--endpoint", required=True, metavar="URL",
              help="Graph Store HTTP Protocol endpoint of a SPARQL 1.1 server, e.g. "
                   "http://127.0.0.1:7878/store (Oxigraph) or http://HOST:3030/DATASET/data (Fuseki).")
@click.option("-o", "--out", "out_dir", default="out", show_default=True, type=click.Path(file_okay=False),
              help="The build's output folder (OUT/issues/*.ttl, OUT/graph.ttl).")
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
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary line.")
def push(endpoint, out_dir, graph_iri, mode, timeout, user, quiet):
    """Load the built graph into a SPARQL server, one named graph per issue (or all of it
    into --graph IRI). Each graph is uploaded in one request, so it is stored whole or not
    at all; on a failure the push stops and says which graphs were pushed and which not."""
    from .remote import push as run_push

    def pushed(iri, path):
        if not quiet:
            click.echo(f"  pushed <{iri}> from {path}")

    try:
        res = run_push(out_dir, endpoint, graph=graph_iri, mode=mode, timeout=timeout, on_pushed=pushed, user=user)
    except KgError as e:
        _fail(e)
    click.echo(f"pushed {len(res.pushed)} graph(s), {res.bytes / 1e6:.1f} MB of Turtle, to {res.endpoint} ({mode})")


@cli.command()
@click.argument("query_arg", metavar="[QUERY | NAME]", required=False)
@click.option("-f", "--file", "query_file", type=click.Path(dir_okay=False, allow_dash=True), default=None,
              help="Read the SPARQL query from this file ('-' for stdin).")
@click.option("--list", "list_queries", is_flag=True, help="List the named queries, what each answers and its parameters.")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind ?NAME to VALUE (a string literal, or an IRI written <...>); repeatable. A named "
                   "query's entity parameter matches labels, aliases and tickers, case-insensitively.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "xml"]), default="table",
              show_default=True, help="SELECT/ASK results: an aligned table, or a W3C SPARQL 1.1 results format. "
                                      "CONSTRUCT/DESCRIBE always print Turtle.")
@click.option("-o", "--out", "out_dir", default="out", show_default=True, type=click.Path(file_okay=False),
              help="The build's output folder: queries OUT/graph.ttl through the store OUT/store/.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None, metavar="SECONDS",
              help="Give up (exit status 1) when the query has not finished after SECONDS.")
@click.option("--allow-remote", is_flag=True, help="Allow SERVICE and FROM <http…> (off: nothing reaches the network).")
@click.option("--endpoint", default=None, metavar="URL",
              help="Query a SPARQL 1.1 server instead of OUT (e.g. http://127.0.0.1:7878/query for Oxigraph; "
                   "fill it with `kg push`). The usual prefixes are sent along; --param values are bound "
                   "as for a local query.")
@click.option("--user", default=None, envvar="KG_SPARQL_USER", metavar="NAME[:PASSWORD]",
              help="HTTP Basic credentials for --endpoint, as for kg push.")
def query(query_arg, query_file, list_queries, params, fmt, out_dir, timeout, allow_remote, endpoint, user):
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
            r = remote.query(endpoint, remote.with_prefixes(q.bind_text(text, terms), q.PREFIXES),
                             timeout=timeout, user=user, until=end)
            res = q.QueryResult(kind=r.kind, variables=r.variables, rows=r.rows, boolean=r.boolean,
                                triples=r.triples)
        else:
            store = q.open_store(out_dir)
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
    click.echo(q.format_result(res, fmt), nl=False)
    if res.kind == "ask":
        sys.exit(0 if res.boolean else 1)


@cli.command()
@click.option("-o", "--out", "out_dir", default="out", show_default=True, type=click.Path(file_okay=False),
              help="The build's output folder (checks OUT/graph.ttl).")
@click.option("--shapes", type=click.Path(dir_okay=False), default=None,
              help="SHACL shapes to check against (default: ontology/shapes.ttl).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def validate(out_dir, shapes, as_json):
    """Check the built graph (OUT/graph.ttl) against the SHACL shapes and list every
    violation (focus node, path, message, severity). Exit status 1 when it does not conform."""
    import json
    from .validate import format_report, validate_out

    try:
        rep = validate_out(out_dir, shapes)
    except KgError as e:
        _fail(e)
    if as_json:
        click.echo(json.dumps(rep.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(format_report(rep), nl=False)
    if not rep.conforms:
        sys.exit(1)

def main(argv: Optional[list[str]] = None):  # pragma: no cover - console entry point
    cli.main(args=argv, prog_name="kg")


if __name__ == "__main__":  # pragma: no cover
    main()
