#!/usr/bin/env bash
# Run the lab by hand: the example FastAPI app behind a real nginx cache,
# baseline traffic, cdnadvise advise + patch, the same traffic again, and the
# predicted vs measured hit ratio per route (about three minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in nginx git; do
  command -v $tool >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light git >/dev/null; }
done
/usr/bin/python3 -c "import fastapi, uvicorn" 2>/dev/null || \
  { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-fastapi python3-uvicorn >/dev/null; }
go test ./lab -run Lab -v -count=1 -timeout 20m
