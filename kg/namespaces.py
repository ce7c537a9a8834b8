"""Every namespace kg writes or reads, spelled out once (plain strings, so that a module
can use them without importing rdflib). kg/rdf.py makes rdflib Namespaces of them; the
query, validation, remote and page modules use the strings."""
from __future__ import annotations

BASE = "https://w3id.org/newskg/"          # the data: entity/, issue/, metric/, event/, newsletter/
KG = BASE + "ontology#"                    # the ontology (ontology/kg.ttl)
KGSH = BASE + "shapes#"                    # the shapes (ontology/shapes.ttl)
ENT = BASE + "entity/"

SCHEMA = "https://schema.org/"
SEM = "http://semanticweb.cs.vu.nl/2009/11/sem/"
QUDT = "http://qudt.org/schema/qudt/"
UNIT = "http://qudt.org/vocab/unit/"
CUR = "http://qudt.org/vocab/currency/"
WD = "http://www.wikidata.org/entity/"
PROV = "http://www.w3.org/ns/prov#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DCTERMS = "http://purl.org/dc/terms/"
SH = "http://www.w3.org/ns/shacl#"

# the prefixes of the graph's Turtle and of every SPARQL query (in this order)
PREFIXES = {"kg": KG, "schema": SCHEMA, "prov": PROV, "sem": SEM, "qudt": QUDT, "unit": UNIT,
            "cur": CUR, "skos": SKOS, "owl": OWL, "xsd": XSD, "rdfs": RDFS, "rdf": RDF,
            "dcterms": DCTERMS, "wd": WD, "ent": ENT}
