"""SHACL validation as SPARQL on the Oxigraph store: the fast engine behind `kg validate`.

pyshacl checks a shape focus node by focus node, and runs every sh:sparql constraint once
per focus node through rdflib's SPARQL engine (2-3 ms per triple of the data graph:
minutes for a few hundred issues). Here every constraint of a shape becomes one SPARQL
query over all its focus nodes at once, run by pyoxigraph on the build's query store:

* targets: sh:targetClass (rdf:type/rdfs:subClassOf*, or rdf:type alone when the data
  holds no rdfs:subClassOf), sh:targetSubjectsOf, sh:targetObjectsOf, sh:targetNode, and a
  shape that is itself a class;
* value tests (one query each: the value nodes that fail): sh:class, sh:datatype
  (ill-typed literals of the SPARQL 1.1 datatypes fail, as in pyshacl), sh:nodeKind,
  sh:pattern (+ sh:flags), sh:minLength, sh:maxLength, sh:min/maxInclusive,
  sh:min/maxExclusive, sh:in, sh:hasValue, sh:or of shapes made of value tests;
* counts: sh:minCount, sh:maxCount, sh:uniqueLang, sh:qualifiedValueShape with
  sh:qualifiedMinCount / sh:qualifiedMaxCount (value-test shapes);
* pairs: sh:lessThan, sh:lessThanOrEquals, sh:equals, sh:disjoint;
* SPARQL: sh:sparql SELECT constraints, with sh:prefixes; $this becomes a variable bound
  by the shape's targets, placed first in the query's WHERE group (what pre-binding does
  for the queries SHACL allows), and sh:message templates ({?var}, {$var}) are filled in.
Paths: an IRI, or sh:inversePath of an IRI.

Results carry what pyshacl's report carries (focus node, path, value, messages, severity,
source shape, component; tests/test_validate_engine.py compares the two on graphs that
break every supported constraint). A shapes graph with anything else (sh:node, sh:not,
sh:and, sh:xone, sh:closed, sh:languageIn, sequence or alternative paths, nested property
shapes, SPARQL ASK validators, ...) raises Unsupported: kg/validate.py then runs pyshacl.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Iterator, Optional

import pyoxigraph as ox

from .namespaces import OWL, RDF, RDFS, SH, XSD

# constraint parameters this engine reads; any other sh: predicate on a shape -> Unsupported
_VALUE_TESTS = {"class", "datatype", "nodeKind", "pattern", "minLength", "maxLength", "minInclusive",
                "maxInclusive", "minExclusive", "maxExclusive", "in", "hasValue", "or"}
_KNOWN = _VALUE_TESTS | {
    "flags", "minCount", "maxCount", "uniqueLang", "qualifiedValueShape", "qualifiedMinCount",
    "qualifiedMaxCount", "qualifiedValueShapesDisjoint", "lessThan", "lessThanOrEquals", "equals", "disjoint",
    "sparql", "property", "path", "targetClass", "targetSubjectsOf", "targetObjectsOf", "targetNode",
    "message", "severity", "deactivated", "name", "description", "order", "group", "defaultValue",
    "declare", "prefixes"}
_COMPONENT = {
    "class": "ClassConstraintComponent", "datatype": "DatatypeConstraintComponent",
    "nodeKind": "NodeKindConstraintComponent", "pattern": "PatternConstraintComponent",
    "minLength": "MinLengthConstraintComponent", "maxLength": "MaxLengthConstraintComponent",
    "minInclusive": "MinInclusiveConstraintComponent", "maxInclusive": "MaxInclusiveConstraintComponent",
    "minExclusive": "MinExclusiveConstraintComponent", "maxExclusive": "MaxExclusiveConstraintComponent",
    "in": "InConstraintComponent", "hasValue": "HasValueConstraintComponent", "or": "OrConstraintComponent",
    "minCount": "MinCountConstraintComponent", "maxCount": "MaxCountConstraintComponent",
    "uniqueLang": "UniqueLangConstraintComponent", "lessThan": "LessThanConstraintComponent",
    "lessThanOrEquals": "LessThanOrEqualsConstraintComponent", "equals": "EqualsConstraintComponent",
    "disjoint": "DisjointConstraintComponent", "sparql": "SPARQLConstraintComponent",
    "qualifiedMinCount": "QualifiedMinCountConstraintComponent",
    "qualifiedMaxCount": "QualifiedMaxCountConstraintComponent",
}
# the datatypes whose literals are checked for being well-typed, as pyshacl does, with a
# SPARQL test that is an error (so false, under COALESCE) on an ill-typed literal
_WELL_TYPED = {
    XSD + "integer": "isNUMERIC({v})", XSD + "decimal": "isNUMERIC({v})", XSD + "float": "isNUMERIC({v})",
    XSD + "boolean": "({v} = true || {v} = false)", XSD + "date": "(YEAR({v}) = YEAR({v}))",
    XSD + "dateTime": "(HOURS({v}) = HOURS({v}))", XSD + "time": "(STR({v}) = STR(xsd:time({v})))",
}


class Unsupported(Exception):
    """The shapes use a SHACL feature this engine does not implement (use pyshacl)."""


@dataclass
class Result:
    severity: str                   # "Violation" | "Warning" | "Info"
    focus: ox.Term
    path: Optional[str]             # the path as text: an IRI, or "^IRI" for an inverse path
    value: Optional[ox.Term]
    messages: list[str]
    shape: Optional[str]            # the source shape's IRI (None: a blank node)
    component: str


@dataclass
class Check:
    """One query: its text and how a row of its answer becomes a Result."""
    shape: "Shape"
    component: str
    query: str
    value_var: Optional[str] = "v"          # the variable holding the value node (None: no value)
    messages: list[str] = field(default_factory=list)   # a SPARQL constraint's own messages
    sparql: bool = False                    # fill {?var} templates from the row


@dataclass
class Shape:
    node: object                    # rdflib term of the shapes graph
    iri: Optional[str]
    severity: str = "Violation"
    messages: list[str] = field(default_factory=list)
    path: Optional[tuple[str, str]] = None   # ("iri" | "inverse", IRI)
    focus: str = ""                 # SPARQL group binding ?this to the focus nodes

    @property
    def path_text(self) -> Optional[str]:
        if self.path is None:
            return None
        return ("^" if self.path[0] == "inverse" else "") + self.path[1]

    def values(self, this: str = "?this", v: str = "?v") -> str:
        """A triple pattern from the focus node to a value node."""
        if self.path is None:
            return f"BIND({this} AS {v})"
        kind, p = self.path
        return f"{this} <{p}> {v} ." if kind == "iri" else f"{v} <{p}> {this} ."


def _term(t) -> str:
    """An rdflib term of the shapes graph as SPARQL text."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(t, URIRef):
        return f"<{t}>"
    if isinstance(t, Literal):
        lex = str(t).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        if t.language:
            return f'"{lex}"@{t.language}'
        if t.datatype:
            return f'"{lex}"^^<{t.datatype}>'
        return f'"{lex}"'
    if isinstance(t, BNode):
        raise Unsupported("a blank node as a constraint value")
    raise Unsupported(f"the term {t!r}")


class Compiler:
    """Reads a shapes graph (rdflib) and turns it into SPARQL checks."""

    def __init__(self, sg, has_subclass: bool):
        from rdflib import Namespace
        self.sg = sg
        self.sh = Namespace(SH)
        self.has_subclass = has_subclass

    # -- reading the shapes graph
    def _one(self, node, name: str):
        vals = list(self.sg.objects(node, self.sh[name]))
        if len(vals) > 1 and name not in ("message",):
            raise Unsupported(f"several sh:{name} on one shape")
        return vals[0] if vals else None

    def _list(self, node) -> list:
        from rdflib.collection import Collection
        return list(Collection(self.sg, node))

    def _params(self, node) -> set[str]:
        out = set()
        for p in set(self.sg.predicates(node, None)):
            if str(p).startswith(SH):
                name = str(p)[len(SH):]
                if name not in _KNOWN:
                    raise Unsupported(f"sh:{name}")
                out.add(name)
        return out

    def _severity(self, node) -> str:
        s = self._one(node, "severity")
        return str(s).rsplit("#", 1)[-1] if s is not None else "Violation"

    def _messages(self, node) -> list[str]:
        return [str(m) for m in self.sg.objects(node, self.sh.message)]

    def _path(self, node) -> tuple[str, str]:
        from rdflib import BNode, URIRef
        p = self._one(node, "path")
        if isinstance(p, URIRef):
            return ("iri", str(p))
        if isinstance(p, BNode):
            inv = self.sg.value(p, self.sh.inversePath)
            if isinstance(inv, URIRef) and len(set(self.sg.predicate_objects(p))) == 1:
                return ("inverse", str(inv))
        raise Unsupported("a path that is not an IRI or the inverse of one")

    def _is_true(self, node, name: str) -> bool:
        v = self._one(node, name)
        return v is not None and str(v).lower() == "true"

    def _targets(self, node) -> list[str]:
        from rdflib import RDF as R, RDFS as RS, URIRef
        alts = []
        classes = list(self.sg.objects(node, self.sh.targetClass))
        if (node, R.type, RS.Class) in self.sg or (node, R.type, URIRef(OWL + "Class")) in self.sg:
            classes.append(node)            # an implicit class target
        typ = f"<{RDF}type>/<{RDFS}subClassOf>*" if self.has_subclass else f"<{RDF}type>"
        for c in classes:
            alts.append(f"?this {typ} {_term(c)} .")
        for p in self.sg.objects(node, self.sh.targetSubjectsOf):
            alts.append(f"?this {_term(p)} ?_o .")
        for p in self.sg.objects(node, self.sh.targetObjectsOf):
            alts.append(f"?_s {_term(p)} ?this .")
        nodes = list(self.sg.objects(node, self.sh.targetNode))
        if nodes:
            alts.append("VALUES ?this { " + " ".join(_term(n) for n in nodes) + " }")
        return alts

    @staticmethod
    def _focus(alts: list[str]) -> str:
        if len(alts) == 1 and alts[0].startswith("?this <") and "?_o" not in alts[0]:
            return alts[0]                  # a class: distinct by construction
        body = " UNION ".join("{ " + a + " }" for a in alts)
        return "{ SELECT DISTINCT ?this WHERE { " + body + " } }"

    # -- value tests: a SPARQL boolean expression that holds when value {v} conforms
    def value_test(self, name: str, obj, node, v: str) -> str:
        from rdflib import Literal
        if name == "class":
            typ = f"<{RDF}type>/<{RDFS}subClassOf>*" if self.has_subclass else f"<{RDF}type>"
            return f"(!isLITERAL({v}) && EXISTS {{ {v} {typ} {_term(obj)} }})"
        if name == "datatype":
            dt = str(obj)
            if dt == RDF + "langString":
                return f"(isLITERAL({v}) && LANG({v}) != \"\")"
            test = f"(isLITERAL({v}) && LANG({v}) = \"\" && DATATYPE({v}) = <{dt}>)"
            if dt in _WELL_TYPED:
                test = f"({test} && COALESCE({_WELL_TYPED[dt].format(v=v)}, false))"
            return test
        if name == "nodeKind":
            kinds = {"IRI": f"isIRI({v})", "BlankNode": f"isBLANK({v})", "Literal": f"isLITERAL({v})",
                     "BlankNodeOrIRI": f"(isBLANK({v}) || isIRI({v}))",
                     "BlankNodeOrLiteral": f"(isBLANK({v}) || isLITERAL({v}))",
                     "IRIOrLiteral": f"(isIRI({v}) || isLITERAL({v}))"}
            return kinds[str(obj).rsplit("#", 1)[-1]]
        if name == "pattern":
            flags = self._one(node, "flags")
            fl = f", {_term(Literal(str(flags)))}" if flags is not None else ""
            return f"(!isBLANK({v}) && COALESCE(REGEX(STR({v}), {_term(Literal(str(obj)))}{fl}), false))"
        if name in ("minLength", "maxLength"):
            op = ">=" if name == "minLength" else "<="
            return f"(!isBLANK({v}) && STRLEN(STR({v})) {op} {int(obj)})"
        if name in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
            op = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">", "maxExclusive": "<"}[name]
            return f"COALESCE({v} {op} {_term(obj)}, false)"
        if name == "in":
            members = self._list(obj)
            return "(" + " || ".join(f"sameTerm({v}, {_term(m)})" for m in members) + ")" if members else "false"
        if name == "hasValue":
            return f"sameTerm({v}, {_term(obj)})"
        if name == "or":
            alts = []
            for shape in self._list(obj):
                alts.append(self.shape_test(shape, v))
            return "(" + " || ".join(alts) + ")" if alts else "false"
        raise Unsupported(f"sh:{name}")

    def shape_test(self, node, v: str) -> str:
        """A shape made only of value tests, as one expression (for sh:or and qualified shapes)."""
        params = self._params(node) - {"message", "severity", "name", "description", "flags"}
        if not params or not params <= _VALUE_TESTS:
            raise Unsupported("a nested shape that is not made of value tests (" + ", ".join(sorted(params)) + ")")
        parts = []
        for name in sorted(params):
            for obj in self.sg.objects(node, self.sh[name]):
                parts.append(self.value_test(name, obj, node, v))
        return "(" + " && ".join(parts) + ")"

    # -- the checks of one shape
    def checks(self, node, parent_focus: Optional[str]) -> Iterator[Check]:
        from rdflib import URIRef
        if self._is_true(node, "deactivated"):
            return
        params = self._params(node)
        shape = Shape(node, str(node) if isinstance(node, URIRef) else None, self._severity(node),
                      self._messages(node))
        if "path" in params:
            shape.path = self._path(node)
        alts = self._targets(node)
        if alts:
            shape.focus = self._focus(alts)
            if parent_focus:            # targets of its own and those of its node shape
                shape.focus = self._focus(alts + [parent_focus])
        elif parent_focus:
            shape.focus = parent_focus
        else:
            # no targets: only reached through sh:property of another shape, or unused
            pass
        if shape.focus:
            yield from self._shape_checks(shape, params)
        for prop in self.sg.objects(node, self.sh.property):
            if shape.path is not None:
                raise Unsupported("sh:property inside a property shape")
            if shape.focus:
                yield from self.checks(prop, shape.focus)

    def _shape_checks(self, s: Shape, params: set[str]) -> Iterator[Check]:
        focus, values = s.focus, s.values()
        for name in sorted(params & _VALUE_TESTS):
            for obj in self.sg.objects(s.node, self.sh[name]):
                test = self.value_test(name, obj, s.node, "?v")
                if name == "hasValue":
                    q = f"SELECT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ {values} FILTER({test}) }} }}"
                    yield Check(s, _COMPONENT[name], q, value_var=None)
                    continue
                q = f"SELECT DISTINCT ?this ?v WHERE {{ {focus} {values} FILTER(!({test})) }}"
                yield Check(s, _COMPONENT[name], q)
        for name in ("minCount", "maxCount"):
            if name in params:
                if s.path is None:
                    raise Unsupported(f"sh:{name} on a node shape")
                n = int(self._one(s.node, name))
                if name == "minCount" and n == 1:
                    q = f"SELECT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ {values} }} }}"
                elif name == "minCount":
                    q = (f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ {values} }} }} "
                         f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {n})")
                else:
                    q = f"SELECT ?this WHERE {{ {focus} {values} }} GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {n})"
                yield Check(s, _COMPONENT[name], q, value_var=None)
        if "uniqueLang" in params and self._is_true(s.node, "uniqueLang"):
            q = (f"SELECT ?this WHERE {{ {focus} {values} FILTER(isLITERAL(?v) && LANG(?v) != \"\") }} "
                 f"GROUP BY ?this LCASE(LANG(?v)) HAVING (COUNT(DISTINCT ?v) > 1)")
            yield Check(s, _COMPONENT["uniqueLang"], q, value_var=None)
        if "qualifiedValueShape" in params:
            if self._is_true(s.node, "qualifiedValueShapesDisjoint"):
                raise Unsupported("sh:qualifiedValueShapesDisjoint")
            test = self.shape_test(self._one(s.node, "qualifiedValueShape"), "?v")
            counted = (f"SELECT ?this (COUNT(DISTINCT ?q) AS ?n) WHERE {{ {focus} "
                       f"OPTIONAL {{ {values} FILTER({test}) BIND(?v AS ?q) }} }} GROUP BY ?this")
            for name, op in (("qualifiedMinCount", "<"), ("qualifiedMaxCount", ">")):
                if name in params:
                    n = int(self._one(s.node, name))
                    q = f"SELECT ?this WHERE {{ {{ {counted} }} FILTER(?n {op} {n}) }}"
                    yield Check(s, _COMPONENT[name], q, value_var=None)
        for name, fail in (("lessThan", "!COALESCE(?v < ?w, false)"), ("lessThanOrEquals", "!COALESCE(?v <= ?w, false)"),
                           ("disjoint", "sameTerm(?v, ?w)")):
            for other in self.sg.objects(s.node, self.sh[name]):
                if s.path is None and name != "disjoint":
                    raise Unsupported(f"sh:{name} on a node shape")
                q = f"SELECT ?this ?v WHERE {{ {focus} {values} ?this {_term(other)} ?w . FILTER({fail}) }}"
                yield Check(s, _COMPONENT[name], q)
        for other in self.sg.objects(s.node, self.sh.equals):
            o = _term(other)
            q = (f"SELECT DISTINCT ?this ?v WHERE {{ {focus} {{ {values} FILTER NOT EXISTS {{ ?this {o} ?v }} }} "
                 f"UNION {{ ?this {o} ?v . FILTER NOT EXISTS {{ {values} }} }} }}")
            yield Check(s, _COMPONENT["equals"], q)
        for c in self.sg.objects(s.node, self.sh.sparql):
            yield self._sparql(s, c)

    def _sparql(self, s: Shape, c) -> Check:
        if self._is_true(c, "deactivated"):
            return Check(s, "", "")
        select = self._one(c, "select")
        if select is None:
            raise Unsupported("an sh:sparql constraint without sh:select")
        text = str(select)
        prefixes = self._prefixes(c)
        text = _bind_this(text, s.focus, s.path)
        return Check(s, _COMPONENT["sparql"], prefixes + text, value_var="value",
                     messages=self._messages(c), sparql=True)

    def _prefixes(self, c) -> str:
        out = []
        for p in self.sg.objects(c, self.sh.prefixes):
            for decl in self.sg.objects(p, self.sh.declare):
                pfx, ns = self.sg.value(decl, self.sh.prefix), self.sg.value(decl, self.sh.namespace)
                out.append(f"PREFIX {pfx}: <{ns}>\n")
        return "".join(sorted(set(out)))


_WHERE = re.compile(r"\bWHERE\s*\{", re.I)
_THIS = re.compile(r"\$this\b")
_PATH = re.compile(r"\$PATH\b")


def _bind_this(text: str, focus: str, path: Optional[tuple[str, str]]) -> str:
    """The SELECT with $this bound to the shape's focus nodes: the focus pattern first in
    the outermost WHERE group (as pre-binding), $this renamed ?this, $PATH substituted."""
    if _PATH.search(text):
        if path is None:
            raise Unsupported("$PATH in a node shape's constraint")
        text = _PATH.sub(f"<{path[1]}>" if path[0] == "iri" else f"^<{path[1]}>", text)
    m = _WHERE.search(text)
    if not m:
        raise Unsupported("an sh:select without WHERE")
    text = text[:m.end()] + " " + focus + " " + text[m.end():]
    return _THIS.sub("?this", text)


_TEMPLATE = re.compile(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}")


def _display(t) -> str:
    """A term as pyshacl writes it into a message template (str() of the rdflib term)."""
    if isinstance(t, (ox.NamedNode, ox.BlankNode)):
        return t.value
    if isinstance(t, ox.Literal):
        return t.value
    return str(t)


def compile_checks(shapes_graph, store: ox.Store) -> list[Check]:
    """Every check of every shape of the shapes graph (an rdflib Graph)."""
    from rdflib import RDF as R
    has_subclass = store.query(f"ASK {{ ?a <{RDFS}subClassOf> ?b }}")
    comp = Compiler(shapes_graph, bool(has_subclass))
    sh = comp.sh
    roots = set(shapes_graph.subjects(R.type, sh.NodeShape)) | set(shapes_graph.subjects(R.type, sh.PropertyShape))
    for t in ("targetClass", "targetSubjectsOf", "targetObjectsOf", "targetNode"):
        roots |= set(shapes_graph.subjects(sh[t], None))
    nested = set(shapes_graph.objects(None, sh.property))
    checks: list[Check] = []
    for node in sorted(roots - nested, key=str):
        checks.extend(c for c in comp.checks(node, None) if c.query)
    # property shapes that have targets of their own are reached above through their parent
    # too; a nested shape with its own targets and no parent would be missed: include it
    for node in sorted(nested, key=str):
        if comp._targets(node) and not set(shapes_graph.subjects(sh.property, node)) & roots:
            checks.extend(c for c in comp.checks(node, None) if c.query)
    return checks


def run_checks(store: ox.Store, checks: list[Check],
               progress: Optional[Callable[[int], None]] = None) -> list[Result]:
    """Run the checks on the store; one Result per answer row."""
    out: list[Result] = []
    for c in checks:
        res = store.query(c.query)
        names = [v.value for v in res.variables]
        for row in res:
            binding = {n: row[n] for n in names}
            out.append(_result(c, binding))
        if progress:
            progress(1)
    return out


def _result(c: Check, b: dict) -> Result:
    s = c.shape
    focus = b.get("this")
    value = b.get(c.value_var) if c.value_var else None
    path = s.path_text
    messages = list(s.messages)
    if c.sparql:
        if "path" in b and b["path"] is not None:
            path = b["path"].value
        if value is None and s.path is None:
            value = focus            # a node shape's SPARQL result: the focus node is the value
        fill = {k: _display(v) for k, v in b.items() if v is not None}
        fill["this"] = _display(focus)
        if value is not None:
            fill["value"] = _display(value)
        extra = [m for m in c.messages if m not in messages]
        messages = [_TEMPLATE.sub(lambda m: fill.get(m.group(1), m.group(0)), m) for m in extra + messages]
    elif s.path is None and c.value_var:
        value = focus
    if not messages:
        messages = [_generic(c, s, focus, value)]
    return Result(s.severity, focus, path, value, messages, s.iri, c.component)


def _generic(c: Check, s: Shape, focus, value) -> str:
    """A message for a shape without sh:message (pyshacl words these its own way)."""
    where = _display(focus) + (f"->{s.path_text}" if s.path_text else "")
    name = c.component.replace("ConstraintComponent", "")
    return f"{name} not met on {where}" + (f": value {_display(value)}" if value is not None else "")
