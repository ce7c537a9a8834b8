"""SHACL validation of the built graph: the library API behind `kg validate`.

Checks BUILD/graph.ttl against ontology/shapes.ttl in the mode documented at the top of
shapes.ttl (inference "none", no ontology graph) with one of two engines:

* "oxigraph" (the default): kg/shacl.py runs each constraint of the shapes as one SPARQL
  query over all its focus nodes, on the build's query store (kg/query.py; the same store
  `kg query` uses, loaded once). Seconds where pyshacl takes minutes; the same results
  (tests/test_validate_engine.py). Shapes that use SHACL features it does not implement
  are validated with pyshacl instead, with a warning (W021).
* "pyshacl": the reference implementation, node by node through rdflib.

Results become plain records: focus node, path, message, severity, value, source shape
and component. Only results of severity sh:Violation make a graph non-conforming;
warnings and infos are reported too.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Optional, Union

from .errors import KgError, warning
from .resources import SHAPES_PATH

ENGINES = ("oxigraph", "pyshacl")
# The mode documented in the header of ontology/shapes.ttl ("HOW TO VALIDATE").
INFERENCE = "none"
ADVANCED = True

from .namespaces import SH  # noqa: E402
_SEVERITY_RANK = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass
class Violation:
    severity: str                   # "Violation" | "Warning" | "Info"
    focus: str                      # the focus node (IRI, or a literal/blank node as text)
    path: Optional[str]             # the result path, when the constraint has one
    message: str
    value: Optional[str] = None     # the offending value, when there is one
    shape: Optional[str] = None     # the source shape (IRI, or None for a blank-node shape)
    component: Optional[str] = None  # e.g. "MinCountConstraintComponent"


@dataclass
class ValidationReport:
    conforms: bool
    graph_path: str
    shapes_path: str
    triples: int
    results: list[Violation] = field(default_factory=list)
    engine: str = "pyshacl"
    notes: list[str] = field(default_factory=list)     # e.g. W021: fell back to pyshacl

    @property
    def violations(self) -> list[Violation]:
        return [r for r in self.results if r.severity == "Violation"]

    def rows(self) -> list[dict]:
        """One row per result, IRIs shortened to prefix:name (kg.query.compact)."""
        from .query import compact

        def c(s: Optional[str]) -> str:
            if s is None:
                return ""
            return compact(s) if s.startswith(("http://", "https://")) else s

        return [{"severity": v.severity, "focus": c(v.focus), "path": c(v.path), "value": c(v.value),
                 "message": v.message, "shape": c(v.shape) if v.shape else "", "component": v.component or ""}
                for v in self.results]

    def to_json(self) -> dict:
        return {"conforms": self.conforms, "graph": self.graph_path, "shapes": self.shapes_path,
                "triples": self.triples, "violations": len(self.violations),
                "results": [asdict(r) for r in self.results]}


def _term_text(g, t) -> Optional[str]:
    from rdflib import BNode, Literal, URIRef

    if t is None:
        return None
    if isinstance(t, URIRef):
        return str(t)
    if isinstance(t, Literal):
        return str(t)
    if isinstance(t, BNode):
        # a complex property path: [ sh:inversePath p ] and friends, shown in SPARQL syntax
        from rdflib.namespace import SH as SHNS

        inv = g.value(t, SHNS.inversePath)
        if inv is not None:
            return "^" + str(inv)
        return "(complex path)"
    return str(t)


def load_shapes(shapes: Optional[Union[str, Path]] = None):
    import rdflib

    path = Path(shapes) if shapes else SHAPES_PATH
    if not path.is_file():
        raise KgError("E001", path=str(path))
    try:
        return rdflib.Graph().parse(str(path), format="turtle"), str(path)
    except Exception as e:  # rdflib raises many parser exception types
        raise KgError("E132", path=str(path), msg=" ".join(str(e).split())[:300])


def _finish(results: list[Violation], graph_path: str, shapes_path: str, triples: int,
            engine: str) -> ValidationReport:
    results.sort(key=lambda v: (_SEVERITY_RANK.get(v.severity, 3), v.focus, v.path or "", v.message,
                                v.value or "", v.shape or "", v.component or ""))
    conforms = not any(v.severity == "Violation" for v in results)
    return ValidationReport(conforms, graph_path, shapes_path, triples, results, engine)


def _ox_text(t) -> Optional[str]:
    import pyoxigraph as ox
    if t is None:
        return None
    if isinstance(t, (ox.NamedNode, ox.Literal)):
        return t.value
    return str(t)


def validate_store(store, shapes: Optional[Union[str, Path]] = None, graph_path: str = "",
                   on_start: Optional[Callable[[int], None]] = None,
                   progress: Optional[Callable[[int], None]] = None) -> ValidationReport:
    """Validate the graph in a pyoxigraph Store with the SPARQL engine (kg/shacl.py).
    Raises kg.shacl.Unsupported when the shapes need pyshacl."""
    from .shacl import compile_checks, run_checks

    shacl_graph, shapes_path = load_shapes(shapes)
    checks = compile_checks(shacl_graph, store)
    if on_start:
        on_start(len(checks))
    results = [Violation(severity=r.severity, focus=_ox_text(r.focus) or "", path=r.path,
                         message="; ".join(sorted(r.messages)), value=_ox_text(r.value), shape=r.shape,
                         component=r.component)
               for r in run_checks(store, checks, progress)]
    return _finish(results, graph_path, shapes_path, len(store), "oxigraph")


def validate_graph(data, shapes: Optional[Union[str, Path]] = None, graph_path: str = "",
                   engine: str = "oxigraph") -> ValidationReport:
    """Validate a graph, an rdflib Graph or Turtle (str or bytes), against the shapes
    (engine "oxigraph": loaded into an in-memory store first; "pyshacl": the reference
    engine)."""
    if isinstance(data, (str, bytes)):
        import rdflib
        data = rdflib.Graph().parse(data=data, format="turtle")
    if engine == "oxigraph":
        import pyoxigraph as ox
        from .shacl import Unsupported

        store = ox.Store()
        store.bulk_load(data.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
        try:
            return validate_store(store, shapes, graph_path)
        except Unsupported as e:
            rep = validate_graph(data, shapes, graph_path, engine="pyshacl")
            rep.notes.append(warning("W021", what=str(e)))
            return rep
    return _validate_pyshacl(data, shapes, graph_path)


def _validate_pyshacl(data, shapes: Optional[Union[str, Path]] = None, graph_path: str = "") -> ValidationReport:
    import pyshacl
    from rdflib import RDF, Namespace

    shacl_graph, shapes_path = load_shapes(shapes)
    _, report, _ = pyshacl.validate(data, shacl_graph=shacl_graph, inference=INFERENCE,
                                    advanced=ADVANCED, allow_warnings=True, allow_infos=True)
    sh = Namespace(SH)
    results = []
    for r in report.subjects(RDF.type, sh.ValidationResult):
        sev = report.value(r, sh.resultSeverity)
        sev_name = str(sev).rsplit("#", 1)[-1] if sev is not None else "Violation"
        msgs = sorted(str(m) for m in report.objects(r, sh.resultMessage))
        comp = report.value(r, sh.sourceConstraintComponent)
        shape = report.value(r, sh.sourceShape)
        from rdflib import URIRef

        results.append(Violation(
            severity=sev_name,
            focus=_term_text(report, report.value(r, sh.focusNode)) or "",
            path=_term_text(report, report.value(r, sh.resultPath)),
            message="; ".join(msgs) or (str(comp).rsplit("#", 1)[-1] if comp else "constraint not met"),
            value=_term_text(report, report.value(r, sh.value)),
            shape=str(shape) if isinstance(shape, URIRef) else None,
            component=str(comp).rsplit("#", 1)[-1] if comp is not None else None,
        ))
    return _finish(results, graph_path, shapes_path, len(data), "pyshacl")


def validate_out(out_dir: Union[str, Path] = "out", shapes: Optional[Union[str, Path]] = None,
                 engine: str = "oxigraph", on_start: Optional[Callable[[int], None]] = None,
                 progress: Optional[Callable[[int], None]] = None) -> ValidationReport:
    """Validate BUILD/graph.ttl (the merged graph of a build). on_start(n) is told how many
    checks will run and progress(1) after each (oxigraph engine)."""
    import rdflib

    from .layout import graph_path

    if engine not in ENGINES:
        raise KgError("E161", engine=engine, choices=", ".join(ENGINES))
    gpath = graph_path(out_dir)
    notes = []
    if engine == "oxigraph":
        from .query import open_store
        from .shacl import Unsupported

        load_shapes(shapes)             # a bad shapes file is E001/E132 before the store loads
        try:
            return validate_store(open_store(out_dir), shapes, str(gpath), on_start, progress)
        except Unsupported as e:
            notes.append(warning("W021", what=str(e)))
    try:
        data = rdflib.Graph().parse(str(gpath), format="turtle")
    except Exception as e:
        raise KgError("E133", path=str(gpath), msg=" ".join(str(e).split())[:300])
    rep = _validate_pyshacl(data, shapes, str(gpath))
    rep.notes.extend(notes)
    return rep


RESULT_COLUMNS = ["severity", "focus", "path", "value", "message", "shape", "component"]


def summary(rep: ValidationReport) -> str:
    """One line: conforms or not, how many violations and warnings, how many triples."""
    n = len(rep.violations)
    others = len(rep.results) - n
    extra = f", {others} warning(s)/info(s)" if others else ""
    if rep.conforms:
        return f"{rep.graph_path} conforms to {rep.shapes_path} ({rep.triples} triples{extra})"
    return (f"{rep.graph_path} does not conform to {rep.shapes_path}: "
            f"{n} violation{'s' if n != 1 else ''}{extra} ({rep.triples} triples)")
