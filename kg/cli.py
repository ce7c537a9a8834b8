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
def build(inputs, out_dir, model, fmt, newsletter, number, date, url, gazetteer, quiet):
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
                        progress=progress, on_start=on_start)
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


def main(argv: Optional[list[str]] = None):  # pragma: no cover - console entry point
    cli.main(args=argv, prog_name="kg")


if __name__ == "__main__":  # pragma: no cover
    main()
