#!/bin/sh
# Build the bundled sample into /data on the first start (with the base IRI the container is
# reached at), then serve it. CKG_BASE_IRI follows a remapped host port:
#   docker run -p 9000:8000 -e CKG_BASE_IRI=http://localhost:9000/ ckg-rdf
set -eu
BASE="${CKG_BASE_IRI:-http://localhost:8000/}"
if [ ! -d /data/oxigraph ]; then
  echo "first start: building the bundled sample into /data (IRIs under $BASE)"
  ckg build /app/examples/cord19-sample --store /data --base-iri "$BASE" --quiet
fi
exec ckg serve --store /data --host 0.0.0.0 --port 8000 --public-url "$BASE" "$@"
