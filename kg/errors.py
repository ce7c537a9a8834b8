"""Error and warning messages as coded constants (the spaCy way), so that users can
search for a code and tests can assert on it without matching prose.

The table: `Errors` (raised as KgError(CODE, **arguments)) and `Warnings` (formatted with
warning(CODE, **arguments)). Every code is raised somewhere, with exactly the arguments
its message names (tests/test_errors.py). Ranges per area: E001-E024 and W002-W009 input
and build; E050-E059 scale; E071-E089 and W030-W039 viz; E090-E099 and W040-W049 mail;
E120-E139 query and validate; E140-E159 safety (issue #16); E160-E179 and W020-W029 the CLI
grammar and validation."""
from __future__ import annotations


class KgError(Exception):
    """An error a user can act on; the CLI prints it as one line, without a traceback."""

    def __init__(self, code: str, **kwargs):
        self.code = code
        self.kwargs = kwargs
        super().__init__(f"[{code}] " + getattr(Errors, code).format(**kwargs))


class Errors:
    E001 = "{path}: no such file or directory"
    E002 = "{path}: the file is empty"
    E003 = "{path}: not a text file (binary content at byte {offset})"
    E004 = "{path}: no newsletter items found (expected '- Outlet: Headline – body' bullets or paragraphs)"
    E005 = "{path}: no issue files found in the directory (looked for {patterns})"
    E006 = "{path}: cannot decode the text (tried {encodings})"
    E007 = "nothing could be built: every input failed ({reasons})"
    E008 = "spaCy model {name!r} is not installed; install it or pass --model none"
    E009 = "{path}: the gazetteer file is malformed at line {line}: {reason}"
    E011 = "{path}: unknown input format {fmt!r} (choose from {choices})"
    E012 = "{path}: the file is too large ({size} bytes; the limit is {limit} bytes)"
    E013 = "{path}: the {fmt} reader could not read the file: {reason}"
    E014 = "the Dask engine needs dask.distributed: pip install 'kg[dask]'"
    E015 = "cannot connect to the Dask scheduler at {address}: {reason}"
    E016 = "unknown engine {engine!r} (choose from {choices})"
    E017 = "the Dask engine needs a scheduler address: pass --scheduler tcp://HOST:8786"
    E018 = "cannot reach the SPARQL server at {url}: {reason}"
    E019 = "the SPARQL server at {url} answered HTTP {status}: {reason}"
    E020 = "push failed at graph <{graph}>: {reason}; pushed {n_ok} graph(s), not pushed {n_bad}: {not_pushed}"
    E021 = "{path}: no built graph here (expected graph.ttl and issues/*.ttl; run kg build -o {path} first)"
    E022 = "{path}: expected exactly one kg:Issue in the file, found {n}"
    E023 = "--workers must be 0 (one per CPU) or more, not {n}"
    # kg build --workers/--engine dask, kg push, kg query --endpoint (E014-E023, E050-E059)
    E050 = "the workers used different spaCy models ({models}); install the same model everywhere or pass --model"
    E051 = "{iri!r} is not an absolute IRI (expected e.g. https://example.org/graph/news)"
    E052 = "unknown push mode {mode!r} (choose from {choices})"
    E024 = "no entity named {name!r} in the graph (try `kg entities` for names and aliases)"

    # kg viz (E071-E079)
    E071 = "{path}: no built graph (run `kg build ... -o DIR` first, then pass --graph DIR/graph.ttl)"
    E072 = "{path}: cannot read the graph as Turtle: {reason}"
    E073 = "unknown node type {value!r} for --types (choose from {choices})"
    E074 = "--focus {name!r}: no node has that name or alias{hint}"
    E075 = "nothing to show: no node comes from {what}"
    E076 = "cannot inline vis-network: {reason}"
    E077 = "--max-nodes must be 1 or more, not {value}"
    E078 = "--since {since} is after --until {until}"
    # kg viz, the entity map (E080-E089)
    E080 = "--types {value}: events and metrics are not nodes of the entity map (they are in each entity's panel); add --all to draw them as nodes"

    # mail: .eml, mbox, Maildir (kg/ingest/mail.py, E090-E099)
    E090 = "{where} {msgid}: skipped: the message has no text part (it holds {types})"
    E091 = "{where} {msgid}: skipped: {reason}"
    E092 = "{where} {msgid}: skipped: the mailbox ends inside this message (the file is truncated)"
    E093 = "{path}: no message to build: {summary}"
    E094 = "{where} {msgid}: skipped: no newsletter items found in the message"
    E095 = "{path}: cannot read the mailbox: {reason}"
    E096 = "--since {since} is after --until {until}"

    # E120-E139: kg query / kg validate (kg/query.py, kg/validate.py)
    E120 = "no named query {name!r} (named queries: {known}; `kg query --list` describes them)"
    E121 = "bad --param {value!r}: expected NAME=VALUE"
    E122 = "named query {name!r} takes no parameter {param!r} (it takes: {known})"
    E123 = "named query {name!r} needs --param {param}=VALUE ({desc})"
    E124 = "{what} is refused: it would reach the network ({detail}); pass --allow-remote to allow it"
    E125 = "updates are refused: kg query is read-only (found {keyword})"
    E127 = "{path}: cannot load the graph into the query store: {msg}"
    E128 = "{path}: cannot open the query store: {msg}"
    E129 = "SPARQL syntax error at line {line}, column {col}: {msg}{near}"
    E130 = "the query failed: {msg}"
    E131 = "the query did not finish within {seconds} s (--timeout); it was abandoned"
    E132 = "{path}: cannot read the SHACL shapes: {msg}"
    E133 = "{path}: cannot parse the graph: {msg}"
    E134 = "--param {param}=...: the query has no variable ?{param} to bind"
    E135 = "--param {param}={value!r}: expected a class name of the ontology such as StockMove or Organization"

    # E140-E159: safety (issue #16): build output, locks, input files, remote access
    E140 = ("{out}: the build would remove {n} issue(s) built from inputs not given this time: {issues}; "
            "give those inputs too, build into another folder (-o), or pass --prune to remove them")
    E141 = "{out}: another kg build (process {pid}) is writing into this folder; wait for it to end, or build into another folder (-o)"
    E142 = "{path}: cannot write the build output: {reason}"
    E143 = ("push failed at graph <{graph}>: {reason}; pushed {n_ok} graph(s); <{graph}> unknown (the connection "
            "broke after it was sent: the server may or may not have stored it; push again); not pushed {n_bad}: {not_pushed}")
    E144 = "--param {param}=...: the query assigns ?{param} itself (AS ?{param} or VALUES); a parameter can only be a variable the query reads"
    E145 = "{path}: not a regular file ({kind}); only regular files are read"
    E146 = "{path}: a symbolic link to a {what} outside the input folders ({target}); pass --follow-symlinks to read it"
    E149 = "{out}: the merged graph failed its check ({reason}); graph.ttl was not replaced"

    # E160-E179: the CLI grammar, explore, validate (kg/cli.py, kg/layout.py, kg/validate.py)
    E160 = "{path}: no build here (no graph.ttl); run `kg build INPUTS -o {path}` first, or pass -b/--build DIR"
    E161 = "unknown validation engine {engine!r} (choose from {choices})"


class Warnings:
    W002 = "{path}: no issue date found in the file; pass --date YYYY-MM-DD (using {fallback})"
    W003 = "{path}: no issue number found in the file; pass --number N (using {fallback})"
    W004 = "{path}:{line}: absurd figure {text!r} skipped"
    # readers (kg/ingest): W006 means part of the input was left out, W007 that it was repaired
    W006 = "{path}:{line}: skipped {what}: {reason}"
    W007 = "{path}:{line}: {reason}"
    W008 = "{path}: skipped: it is the same issue ({issue}) as {other}"
    W009 = "{path}: layout not recognised (no headings, title lines or bullets); read as {n} paragraphs, one item each"
    # mail (kg/ingest/mail.py, W040-W049)
    W040 = "{path}: {n} of {total} message(s) left out as not newsletters (no List-Id or List-Unsubscribe header); name their sender with --from to build them"
    W041 = "{path}: {n} of {total} message(s) left out by {filters}"
    W042 = "{where} {msgid}: the same message as {other}; built once"
    W043 = "{where} {msgid}: the message has {size} bytes, more than {limit} (KG_MAX_MESSAGE_BYTES): {what}"
    W044 = "{where} {msgid}: {reason}"
    W045 = "{path}: {n} of the {total} message(s) read have no issue number in subject or text; their IRIs use the date"
    W046 = "{path}: {n} of the {total} message(s) read have no date (no Date header); pass --date YYYY-MM-DD"
    # W020-W029: the CLI grammar, validate
    W020 = "{old} is deprecated and goes in the next release; use {new}"
    W021 = "the shapes use {what}, which the oxigraph validator does not implement: validating with pyshacl (slow)"
    # kg viz (W030-W039)
    W030 = "{path}: replaced the page that was there ({what})"
    W031 = "--fold-metrics applies to --all only: the entity map always shows figures in the entity's panel"


# warnings that mean some of the input was left out: `kg build` exits with status 2
SKIPPED_WARNINGS = ("W004", "W006", "W008")


def warning(code: str, **kwargs) -> str:
    return f"[{code}] " + getattr(Warnings, code).format(**kwargs)
