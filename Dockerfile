# ckg-rdf: build the bundled sample graph into the image and serve it.
#   docker build -t ckg-rdf .
#   docker run -p 8000:8000 ckg-rdf
# To serve your own release: mount it and run `ckg build /data/cord19 --store /ckg-data`.
FROM python:3.11-slim

ENV PIP_NO_CACHE_DIR=1 PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY ontology ontology
COPY sparql sparql
COPY ckg_rdf ckg_rdf
COPY examples examples
RUN pip install .

RUN ckg build examples/cord19-sample --store /ckg-data --quiet
EXPOSE 8000
CMD ["ckg", "serve", "--store", "/ckg-data", "--host", "0.0.0.0", "--port", "8000"]
