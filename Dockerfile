# ckg-rdf: the bundled sample, built on first start (papers, concepts, citations and
# similar papers) and served at http://localhost:8000/.
#
#   docker build -t ckg-rdf .
#   docker run -p 8000:8000 ckg-rdf
#   docker run -p 9000:8000 -e CKG_BASE_IRI=http://localhost:9000/ ckg-rdf   # another host port
#   docker run -p 8000:8000 -v ckg-data:/data ckg-rdf                        # keep the graph
#
# Your own release: mount it and build into the volume, then serve:
#   docker run -v /path/to/cord19:/corpus:ro -v ckg-data:/data ckg-rdf \
#     sh -c 'ckg build /corpus --store /data && ckg serve --store /data --host 0.0.0.0'
FROM python:3.11-slim

# the CPU wheel of torch (PyPI's default wheel carries CUDA: gigabytes the image does not need)
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
ENV PIP_NO_CACHE_DIR=1 PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \
    CKG_CACHE_DIR=/data/cache CKG_BASE_IRI=http://localhost:8000/

RUN useradd --create-home --uid 10001 ckg && mkdir /data && chown ckg /data
WORKDIR /app
COPY pyproject.toml README.md ./
COPY ontology ontology
COPY sparql sparql
COPY ckg_rdf ckg_rdf
COPY examples examples
COPY docker/entrypoint.sh /usr/local/bin/ckg-entrypoint
RUN pip install --index-url "$TORCH_INDEX" torch==2.13.0 && pip install ".[embed]"

USER ckg
VOLUME /data
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=300s --retries=3 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/sparql?format=ttl', timeout=4)"
ENTRYPOINT ["ckg-entrypoint"]
