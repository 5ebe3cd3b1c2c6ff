#!/usr/bin/env bash
# Run the lab by hand: the example FastAPI, Django and Flask apps behind a real nginx cache and a real Varnish,
# baseline traffic, cdnadvise advise + patch, the same traffic again, and the
# predicted vs measured hit ratio per route (about twenty-two minutes: phases of 600 s,
# the six combinations side by side, the patched phases of each too).
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in nginx varnishd git gunicorn; do
  command -v $tool >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light varnish git gunicorn >/dev/null; }
done
/usr/bin/python3 -c "import fastapi, uvicorn, django, flask" 2>/dev/null || \
  { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-fastapi python3-uvicorn python3-django python3-flask >/dev/null; }
#   scripts/lab.sh --examples   also replaces examples/logs with the nginx lab's baseline logs
if [ "${1:-}" = "--examples" ]; then
  export CDNADVISE_LAB_EXAMPLES="$PWD/examples/logs.new"
  rm -rf "$CDNADVISE_LAB_EXAMPLES"
fi
go test -tags duckdb_arrow ./lab -run Lab -v -count=1 -timeout 40m
if [ -n "${CDNADVISE_LAB_EXAMPLES:-}" ] && [ -d "$CDNADVISE_LAB_EXAMPLES" ]; then
  rm -rf examples/logs && mv "$CDNADVISE_LAB_EXAMPLES" examples/logs
  gzip -9 examples/logs/*/*.log
  echo "examples/logs replaced by the lab's baseline logs"
fi
