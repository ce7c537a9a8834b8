"""SHACL validation of the built graph: the library API behind `kg validate`.

Checks OUT/graph.ttl against ontology/shapes.ttl with pyshacl in the mode documented at
the top of shapes.ttl (inference "none", no ontology graph, advanced features on), and
turns pyshacl's report graph into plain records: focus node, path, message, severity,
value and source shape. Only results of severity sh:Violation make a graph non-conforming;
warnings and infos are reported too.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Optional, Union

from .errors import KgError
from .resources import SHAPES_PATH
# The mode documented in the header of ontology/shapes.ttl ("HOW TO VALIDATE").
INFERENCE = "none"
ADVANCED = True

SH = "http://www.w3.org/ns/shacl#"
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


def validate_graph(data, shapes: Optional[Union[str, Path]] = None, graph_path: str = "") -> ValidationReport:
    """Validate an rdflib Graph against the shapes."""
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
    results.sort(key=lambda v: (_SEVERITY_RANK.get(v.severity, 3), v.focus, v.path or "", v.message,
                                v.value or ""))
    conforms = not any(v.severity == "Violation" for v in results)
    return ValidationReport(conforms, graph_path, shapes_path, len(data), results)


def validate_out(out_dir: Union[str, Path] = "out", shapes: Optional[Union[str, Path]] = None) -> ValidationReport:
    """Validate OUT/graph.ttl (the merged graph of a build)."""
    import rdflib

    from .layout import graph_path

    gpath = graph_path(out_dir)
    try:
        data = rdflib.Graph().parse(str(gpath), format="turtle")
    except Exception as e:
        raise KgError("E133", path=str(gpath), msg=" ".join(str(e).split())[:300])
    return validate_graph(data, shapes, str(gpath))


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


def format_report(rep: ValidationReport) -> str:
    from .query import compact

    def c(s: Optional[str]) -> str:
        if s is None:
            return ""
        return compact(s) if s.startswith(("http://", "https://")) else s

    lines = []
    for v in rep.results:
        lines.append(f"{v.severity}: {c(v.focus)}")
        if v.path:
            lines.append(f"  path:     {c(v.path)}")
        lines.append(f"  message:  {v.message}")
        if v.value is not None:
            lines.append(f"  value:    {c(v.value)}")
        if v.shape or v.component:
            lines.append(f"  shape:    {c(v.shape) if v.shape else '(anonymous)'} ({v.component})")
    n = len(rep.violations)
    others = len(rep.results) - n
    extra = f", {others} warning(s)/info(s)" if others else ""
    if rep.conforms:
        lines.append(f"{rep.graph_path} conforms to {rep.shapes_path} ({rep.triples} triples{extra})")
    else:
        lines.append(f"{rep.graph_path} does not conform to {rep.shapes_path}: "
                     f"{n} violation{'s' if n != 1 else ''}{extra} ({rep.triples} triples)")
    return "\n".join(lines) + "\n"
