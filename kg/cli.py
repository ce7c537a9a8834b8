"""Command line: a thin click layer over the library API (kg.build, kg.query, ...).
Errors a user can act on are printed as one line (`Error: [E00x] ...`) with exit status 1."""
from __future__ import annotations

import sys
from typing import Optional

import click

from . import __version__
from .errors import KgError

INPUT_FORMATS = ["text", "markdown", "html", "rss", "jsonl"]


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
@click.option("-j", "--workers", type=int, default=1, show_default=True,
              help="Extract with N processes on this machine (0 = one per CPU); same output as 1.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Where extraction runs: this machine, or an existing Dask cluster (needs --scheduler "
                   "and pip install 'kg[dask]'); resolution and writing stay here.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Dask scheduler address (tcp://HOST:8786) for --engine dask; implies --engine dask.")
def build(inputs, out_dir, model, fmt, newsletter, number, date, url, gazetteer, quiet, workers, engine,
          scheduler):
    """Build the graph from newsletter issues (files or folders).

    Writes OUT/graph.ttl (every issue, merged) and OUT/issues/NAME.ttl (one per issue).
    A file that cannot be read is reported and skipped; the exit status is 1 when
    nothing could be built, 2 when some input was skipped, 0 otherwise.
    """
    from .build import Overrides, build as run_build

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

    try:
        res = run_build(list(inputs), out_dir, model=model, fmt=fmt,
                        overrides=Overrides(newsletter, number, date, url), gazetteer=gazetteer,
                        progress=progress, on_start=on_start, workers=workers, engine=engine,
                        scheduler=scheduler)
    except KgError as e:
        _fail(e)
    finally:
        if "t" in bar:
            bar["t"].close()
    for path, msg in res.skipped:
        click.echo(f"skipped: {msg}", err=True)
    if not quiet:
        for w in res.warnings:
            click.echo(f"warning: {w}", err=True)
    click.echo(f"built {res.issues} issue(s), {res.items} items: {res.entities} entities, "
               f"{res.events} events, {res.metrics} metrics, {res.triples} triples "
               f"({'model ' + res.model if res.model else 'rules only, no statistical model'})")
    if not quiet:
        for p in res.written:
            click.echo(f"  wrote {p}")
    if res.skipped:
        sys.exit(2)


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
@click.option("--timeout", type=float, default=60.0, show_default=True, help="Seconds per request.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary line.")
def push(endpoint, out_dir, graph_iri, mode, timeout, quiet):
    """Load the built graph into a SPARQL server, one named graph per issue (or all of it
    into --graph IRI). Each graph is uploaded in one request, so it is stored whole or not
    at all; on a failure the push stops and says which graphs were pushed and which not."""
    from .remote import push as run_push

    def pushed(iri, path):
        if not quiet:
            click.echo(f"  pushed <{iri}> from {path}")

    try:
        res = run_push(out_dir, endpoint, graph=graph_iri, mode=mode, timeout=timeout, on_pushed=pushed)
    except KgError as e:
        _fail(e)
    click.echo(f"pushed {len(res.pushed)} graph(s), {res.bytes / 1e6:.1f} MB of Turtle, to {endpoint} ({mode})")


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


def main(argv: Optional[list[str]] = None):  # pragma: no cover - console entry point
    cli.main(args=argv, prog_name="kg")


if __name__ == "__main__":  # pragma: no cover
    main()
