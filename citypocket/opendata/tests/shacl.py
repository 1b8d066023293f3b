"""SHACL validation of the catalog against the SEMIC shapes kept in fixtures/ (see SOURCES.txt)."""

from functools import cache
from pathlib import Path

from pyshacl import validate
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, RDF

FIXTURES = Path(__file__).parent / "fixtures"
SH = Namespace("http://www.w3.org/ns/shacl#")
R5R_HVD_CATEGORY = URIRef("http://data.europa.eu/r5r/hvdCategory")


@cache
def shapes(name: str) -> Graph:
    """The shapes of a fixture file, without references to property shapes the file does not define.

    The published DCAT-AP 3.0.1 file lists two property shapes of dcat:DataServiceShape
    (.../dc08f4dc… on dcat:endpointDescription, .../eb3ac4e4… on dcat:endpointURL, both
    `sh:class rdfs:Resource`) without defining them; pySHACL refuses a dangling reference. The same
    two shapes are defined in the HVD file, which the high-value part of the catalog is checked with.
    """
    graph = Graph().parse(FIXTURES / name, format="turtle")
    for shape, reference in list(graph.subject_objects(SH.property)):
        if (reference, None, None) not in graph:
            graph.remove((shape, SH.property, reference))
    return graph


@cache
def hvd_scheme() -> Graph:
    return Graph().parse(FIXTURES / "hvd-category-scheme.ttl", format="turtle")


def violations(data: Graph, shapes_file: str) -> str:
    """The validation report's text when the data does not conform, else ""."""
    conforms, _graph, text = validate(data, shacl_graph=shapes(shapes_file), ont_graph=hvd_scheme(),
                                      inference="none", abort_on_first=False, allow_warnings=True)
    return "" if conforms else text


def high_value_part(graph: Graph) -> Graph:
    """The graph without the datasets that are not high-value (and their distributions): the HVD shapes
    target every dcat:Dataset, and are meant for the high-value ones only."""
    part = Graph()
    for triple in graph:
        part.add(triple)
    for dataset in set(graph.subjects(RDF.type, DCAT.Dataset)):
        if (dataset, R5R_HVD_CATEGORY, None) in graph:
            continue
        for distribution in graph.objects(dataset, DCAT.distribution):
            part.remove((distribution, None, None))
        part.remove((dataset, None, None))
        part.remove((None, None, dataset))
    return part
