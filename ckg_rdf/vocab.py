"""The ontology's terms as Python names: the one place IRIs are spelled.

Every class and property the pipeline emits comes from here, and
``tests/test_ontology.py`` proves each of them is declared in
``ontology/ckg.ttl``. External vocabularies are listed so that other modules
import terms rather than write IRI strings.
"""

from __future__ import annotations

from pyoxigraph import NamedNode

ONTOLOGY_IRI = "https://w3id.org/ckg-rdf/ontology"
ONTOLOGY_VERSION_IRI = "https://w3id.org/ckg-rdf/ontology/0.2.0"
CKG_NS = ONTOLOGY_IRI + "#"

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_NS = "http://www.w3.org/2000/01/rdf-schema#"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"
OWL_NS = "http://www.w3.org/2002/07/owl#"
SKOS_NS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS_NS = "http://purl.org/dc/terms/"
SCHEMA_NS = "https://schema.org/"
FOAF_NS = "http://xmlns.com/foaf/0.1/"
FABIO_NS = "http://purl.org/spar/fabio/"
CITO_NS = "http://purl.org/spar/cito/"
PROV_NS = "http://www.w3.org/ns/prov#"
OA_NS = "http://www.w3.org/ns/oa#"
VOID_NS = "http://rdfs.org/ns/void#"
DCAT_NS = "http://www.w3.org/ns/dcat#"

#: Prefixes used when serialising for people (Turtle, HTML, JSON-LD context).
PREFIXES: dict[str, str] = {
    "ckg": CKG_NS,
    "rdf": RDF_NS,
    "rdfs": RDFS_NS,
    "xsd": XSD_NS,
    "owl": OWL_NS,
    "skos": SKOS_NS,
    "dcterms": DCTERMS_NS,
    "schema": SCHEMA_NS,
    "foaf": FOAF_NS,
    "fabio": FABIO_NS,
    "cito": CITO_NS,
    "prov": PROV_NS,
    "oa": OA_NS,
    "void": VOID_NS,
    "dcat": DCAT_NS,
}


def _term(ns: str, local: str) -> NamedNode:
    return NamedNode(ns + local)


class RDF:
    type = _term(RDF_NS, "type")


class RDFS:
    label = _term(RDFS_NS, "label")
    comment = _term(RDFS_NS, "comment")


class XSD:
    string = _term(XSD_NS, "string")
    date = _term(XSD_NS, "date")
    gYear = _term(XSD_NS, "gYear")
    anyURI = _term(XSD_NS, "anyURI")
    integer = _term(XSD_NS, "integer")
    double = _term(XSD_NS, "double")
    dateTime = _term(XSD_NS, "dateTime")


class SKOS:
    Concept = _term(SKOS_NS, "Concept")
    ConceptScheme = _term(SKOS_NS, "ConceptScheme")
    prefLabel = _term(SKOS_NS, "prefLabel")
    altLabel = _term(SKOS_NS, "altLabel")
    exactMatch = _term(SKOS_NS, "exactMatch")
    closeMatch = _term(SKOS_NS, "closeMatch")
    inScheme = _term(SKOS_NS, "inScheme")
    notation = _term(SKOS_NS, "notation")


class CKG:
    """Terms of the ckg-rdf ontology (``ontology/ckg.ttl``)."""

    # classes
    Paper = _term(CKG_NS, "Paper")
    Author = _term(CKG_NS, "Author")
    Institution = _term(CKG_NS, "Institution")
    Concept = _term(CKG_NS, "Concept")
    Topic = _term(CKG_NS, "Topic")
    ConceptType = _term(CKG_NS, "ConceptType")
    ConceptTypeScheme = _term(CKG_NS, "ConceptTypeScheme")
    # object properties
    authoredBy = _term(CKG_NS, "authoredBy")
    affiliatedWith = _term(CKG_NS, "affiliatedWith")
    associatedConcept = _term(CKG_NS, "associatedConcept")
    associatedTopic = _term(CKG_NS, "associatedTopic")
    cites = _term(CKG_NS, "cites")
    citedBy = _term(CKG_NS, "citedBy")
    conceptType = _term(CKG_NS, "conceptType")
    # datatype properties
    title = _term(CKG_NS, "title")
    abstract = _term(CKG_NS, "abstract")
    identifier = _term(CKG_NS, "identifier")
    cordUid = _term(CKG_NS, "cordUid")
    sha = _term(CKG_NS, "sha")
    doi = _term(CKG_NS, "doi")
    pmid = _term(CKG_NS, "pmid")
    pmcid = _term(CKG_NS, "pmcid")
    arxivId = _term(CKG_NS, "arxivId")
    s2Id = _term(CKG_NS, "s2Id")
    magId = _term(CKG_NS, "magId")
    whoCovidenceId = _term(CKG_NS, "whoCovidenceId")
    publicationDate = _term(CKG_NS, "publicationDate")
    journal = _term(CKG_NS, "journal")
    license = _term(CKG_NS, "license")
    url = _term(CKG_NS, "url")
    sourceCollection = _term(CKG_NS, "sourceCollection")
    name = _term(CKG_NS, "name")
    givenName = _term(CKG_NS, "givenName")
    middleName = _term(CKG_NS, "middleName")
    familyName = _term(CKG_NS, "familyName")
    email = _term(CKG_NS, "email")
    institutionName = _term(CKG_NS, "institutionName")
    settlement = _term(CKG_NS, "settlement")
    region = _term(CKG_NS, "region")
    country = _term(CKG_NS, "country")
    topicLabel = _term(CKG_NS, "topicLabel")
    # --- concepts (issue 5): see docs/concepts.md
    ConceptAnnotation = _term(CKG_NS, "ConceptAnnotation")
    MedicalCondition = _term(CKG_NS, "MedicalCondition")
    Medication = _term(CKG_NS, "Medication")
    Anatomy = _term(CKG_NS, "Anatomy")
    TestTreatmentProcedure = _term(CKG_NS, "TestTreatmentProcedure")
    GeneOrProtein = _term(CKG_NS, "GeneOrProtein")
    Organism = _term(CKG_NS, "Organism")
    Chemical = _term(CKG_NS, "Chemical")
    VocabularyMatcher = _term(CKG_NS, "VocabularyMatcher")
    NerModel = _term(CKG_NS, "NerModel")
    LearnedNer = _term(CKG_NS, "LearnedNer")
    mentionCount = _term(CKG_NS, "mentionCount")
    score = _term(CKG_NS, "score")
    extractorVersion = _term(CKG_NS, "extractorVersion")
    sourceVocabulary = _term(CKG_NS, "sourceVocabulary")
    sourceVersion = _term(CKG_NS, "sourceVersion")
    # --- embeddings (issue 6)
    Embedding = _term(CKG_NS, "Embedding")
    TextEmbedding = _term(CKG_NS, "TextEmbedding")
    GraphEmbedding = _term(CKG_NS, "GraphEmbedding")
    EmbeddingModel = _term(CKG_NS, "EmbeddingModel")
    float32Vector = _term(CKG_NS, "float32Vector")
    hasEmbedding = _term(CKG_NS, "hasEmbedding")
    embeddingModel = _term(CKG_NS, "embeddingModel")
    dimension = _term(CKG_NS, "dimension")
    createdAt = _term(CKG_NS, "createdAt")
    vector = _term(CKG_NS, "vector")
    # --- author order: see docs/identity.md
    Authorship = _term(CKG_NS, "Authorship")
    qualifiedAuthorship = _term(CKG_NS, "qualifiedAuthorship")
    author = _term(CKG_NS, "author")
    authorPosition = _term(CKG_NS, "authorPosition")
    #: the institution an author entry gives on that paper (issue 17: affiliations over time)
    entryAffiliation = _term(CKG_NS, "entryAffiliation")
    # --- provenance of named graphs (issue 10): see docs/graphs.md
    BuildActivity = _term(CKG_NS, "BuildActivity")
    CkgRdf = _term(CKG_NS, "CkgRdf")
    configuration = _term(CKG_NS, "configuration")
    producerVersion = _term(CKG_NS, "producerVersion")
    softwareVersion = _term(CKG_NS, "softwareVersion")
    allowedServicePrefix = _term(CKG_NS, "allowedServicePrefix")
    # --- the dataset description (issue 14)
    sourceRelease = _term(CKG_NS, "sourceRelease")
    sourceReleaseDate = _term(CKG_NS, "sourceReleaseDate")
    paperCount = _term(CKG_NS, "paperCount")
    # --- ranking (issue 12)
    citationCount = _term(CKG_NS, "citationCount")
    pageRank = _term(CKG_NS, "pageRank")
    citationPosition = _term(CKG_NS, "citationPosition")
    pageRankPosition = _term(CKG_NS, "pageRankPosition")
    # --- summaries (issue 21): counts and ranked lists the build keeps, rank/summaries.py
    authorCount = _term(CKG_NS, "authorCount")
    mentionTotal = _term(CKG_NS, "mentionTotal")
    RankEntry = _term(CKG_NS, "RankEntry")
    RankKind = _term(CKG_NS, "RankKind")
    rankKind = _term(CKG_NS, "rankKind")
    rankScope = _term(CKG_NS, "rankScope")
    rankPlace = _term(CKG_NS, "rankPlace")
    rankedItem = _term(CKG_NS, "rankedItem")
    rankValue = _term(CKG_NS, "rankValue")
    MostCitedIn = _term(CKG_NS, "MostCitedIn")
    MostCitedFrom = _term(CKG_NS, "MostCitedFrom")
    CoOccurring = _term(CKG_NS, "CoOccurring")
    MostMentioning = _term(CKG_NS, "MostMentioning")
    TopConcepts = _term(CKG_NS, "TopConcepts")
    TopInstitutions = _term(CKG_NS, "TopInstitutions")
    # --- topics (issue 12): see ckg_rdf/rdf/topics.py
    TopicAssignment = _term(CKG_NS, "TopicAssignment")
    TopicTerm = _term(CKG_NS, "TopicTerm")
    TopicModel = _term(CKG_NS, "TopicModel")
    topicModel = _term(CKG_NS, "topicModel")
    topTerm = _term(CKG_NS, "topTerm")
    topicProbability = _term(CKG_NS, "topicProbability")
    termText = _term(CKG_NS, "termText")
    termWeight = _term(CKG_NS, "termWeight")
    termRank = _term(CKG_NS, "termRank")
    seedTerm = _term(CKG_NS, "seedTerm")
    topicCount = _term(CKG_NS, "topicCount")
    documentCount = _term(CKG_NS, "documentCount")


class OA:
    """W3C Web Annotation terms the concept annotations and topic assignments use."""

    Annotation = _term(OA_NS, "Annotation")
    hasBody = _term(OA_NS, "hasBody")
    hasTarget = _term(OA_NS, "hasTarget")
    motivatedBy = _term(OA_NS, "motivatedBy")
    identifying = _term(OA_NS, "identifying")
    classifying = _term(OA_NS, "classifying")


class PROV:
    """W3C PROV-O terms (provenance of annotations, topic assignments and named graphs)."""

    Entity = _term(PROV_NS, "Entity")
    Activity = _term(PROV_NS, "Activity")
    SoftwareAgent = _term(PROV_NS, "SoftwareAgent")
    wasAttributedTo = _term(PROV_NS, "wasAttributedTo")
    wasGeneratedBy = _term(PROV_NS, "wasGeneratedBy")
    wasAssociatedWith = _term(PROV_NS, "wasAssociatedWith")
    startedAtTime = _term(PROV_NS, "startedAtTime")
    endedAtTime = _term(PROV_NS, "endedAtTime")
    used = _term(PROV_NS, "used")
    wasInformedBy = _term(PROV_NS, "wasInformedBy")


class SCHEMA:
    """schema.org terms: links from papers to their DOI, PubMed and PMC pages."""

    sameAs = _term(SCHEMA_NS, "sameAs")


#: where other linked-data graphs name a paper (OpenAlex, Crossref and NCBI use these IRIs)
DOI_IRI = "https://doi.org/"
PUBMED_IRI = "https://pubmed.ncbi.nlm.nih.gov/"
PMC_IRI = "https://www.ncbi.nlm.nih.gov/pmc/articles/"


class VOID:
    """VoID terms: the dataset, each named graph as a subset, partitions, linksets."""

    Dataset = _term(VOID_NS, "Dataset")
    DatasetDescription = _term(VOID_NS, "DatasetDescription")
    Linkset = _term(VOID_NS, "Linkset")
    triples = _term(VOID_NS, "triples")
    entities = _term(VOID_NS, "entities")
    classes = _term(VOID_NS, "classes")
    properties = _term(VOID_NS, "properties")
    subset = _term(VOID_NS, "subset")
    uriSpace = _term(VOID_NS, "uriSpace")
    vocabulary = _term(VOID_NS, "vocabulary")
    exampleResource = _term(VOID_NS, "exampleResource")
    classPartition = _term(VOID_NS, "classPartition")
    propertyPartition = _term(VOID_NS, "propertyPartition")
    class_ = _term(VOID_NS, "class")
    property = _term(VOID_NS, "property")
    subjectsTarget = _term(VOID_NS, "subjectsTarget")
    objectsTarget = _term(VOID_NS, "objectsTarget")
    linkPredicate = _term(VOID_NS, "linkPredicate")
    sparqlEndpoint = _term(VOID_NS, "sparqlEndpoint")
    dataDump = _term(VOID_NS, "dataDump")


class DCAT:
    """DCAT terms: the dataset, its distributions and the SPARQL service."""

    Dataset = _term(DCAT_NS, "Dataset")
    Distribution = _term(DCAT_NS, "Distribution")
    DataService = _term(DCAT_NS, "DataService")
    distribution = _term(DCAT_NS, "distribution")
    accessURL = _term(DCAT_NS, "accessURL")
    downloadURL = _term(DCAT_NS, "downloadURL")
    mediaType = _term(DCAT_NS, "mediaType")
    endpointURL = _term(DCAT_NS, "endpointURL")
    servesDataset = _term(DCAT_NS, "servesDataset")
    accessService = _term(DCAT_NS, "accessService")


class FOAF:
    primaryTopic = _term(FOAF_NS, "primaryTopic")
    homepage = _term(FOAF_NS, "homepage")


class DCTERMS:
    modified = _term(DCTERMS_NS, "modified")
    title = _term(DCTERMS_NS, "title")
    description = _term(DCTERMS_NS, "description")
    source = _term(DCTERMS_NS, "source")
    license = _term(DCTERMS_NS, "license")
    LicenseDocument = _term(DCTERMS_NS, "LicenseDocument")
    format = _term(DCTERMS_NS, "format")


#: IRI templates of external vocabularies, for skos:exactMatch links from
#: Concepts. Checked against bioregistry 0.15.6 (OBO PURL for HPO, the
#: identifiers.org/MIRIAM form elsewhere); see docs/vocabularies.md.
EXTERNAL_IRI_PREFIXES: dict[str, str] = {
    "HP": "http://purl.obolibrary.org/obo/HP_",
    "UMLS": "https://identifiers.org/umls:",
    "SNOMEDCT_US": "https://identifiers.org/snomedct:",
    "DRUGBANK": "https://identifiers.org/drugbank:",
    "NCBIGENE": "https://identifiers.org/ncbigene:",
    "NCIT": "http://purl.obolibrary.org/obo/NCIT_",
    "MESH": "http://id.nlm.nih.gov/mesh/",
}
#: schemes whose links are close rather than exact (a drug dictionary's MeSH descriptor may
#: be broader than the drug); every other scheme links with skos:exactMatch
CLOSE_MATCH_SCHEMES = frozenset({"MESH"})


def external_iri(scheme: str, local_id: str) -> NamedNode | None:
    """The canonical IRI of ``scheme:local_id``; None for a scheme we do not link."""
    prefix = EXTERNAL_IRI_PREFIXES.get(scheme)
    return NamedNode(prefix + local_id) if prefix else None


def ckg_terms() -> dict[str, NamedNode]:
    """All terms of :class:`CKG` by local name (for tests and the JSON-LD context)."""
    return {k: v for k, v in vars(CKG).items() if isinstance(v, NamedNode)}
