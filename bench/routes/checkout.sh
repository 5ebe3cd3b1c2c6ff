#!/bin/sh
# checkout.sh ROOT: clone each corpus project (and its fetched dependencies)
# at the commit its project.json pins, into ROOT/<slug> and ROOT/_deps/<name>.
set -eu
root=${1:?usage: checkout.sh ROOT}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$root/_deps"
clone() { # clone REPO COMMIT DIR
  [ -d "$3/.git" ] || git clone -q "https://github.com/$1" "$3"
  git -C "$3" checkout -q "$2"
}
for pj in "$here"/*/*/project.json; do
  slug=$(basename "$(dirname "$pj")")
  [ "$slug" = _common ] && continue
  /usr/bin/python3 - "$pj" <<'PY' | while read -r repo commit dir; do
import json, sys
p = json.load(open(sys.argv[1]))
print(p["repo"], p["commit"], "")
for d in p.get("deps", []):
    print(d["repo"], d["commit"], "_deps/" + d["name"])
PY
    target="$root/${dir:-$slug}"
    echo "checkout: $repo@$commit -> $target"
    clone "$repo" "$commit" "$target"
  done
done
