"""The ontology, installed as the package `kg.ontology` (pyproject.toml maps this folder
there): kg.ttl, shapes.ttl and gazetteer/entities.tsv, read with importlib.resources
(see kg/resources.py). No code lives here."""
