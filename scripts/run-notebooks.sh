#!/usr/bin/env bash
# Executes the notebooks headless (npm run notebooks [-- NAME.ipynb ...]); fails on any cell error.
#   1. Debian jupyter-nbconvert, python3-nbclient, python3-ipykernel: installed with apt-get when run as root,
#      otherwise the command is printed.
#   2. notebooks/ is its own npm package (tslab, danfojs-node, vega 5): `npm ci` there when node_modules is
#      missing or older than the lock file.
#   3. The tslab kernel spec goes to notebooks/.jupyter (git-ignored), nothing global.
#   4. notebooks/execute.py (nbclient) runs them and prints a failing cell with its error. Executed copies go
#      to $INTEREST_EVO_NB_OUT/executed (default notebooks/out, git-ignored); notebook 03 saves its first
#      chart to $INTEREST_EVO_NB_FIGURES (default notebooks/figures).
# NOTEBOOKS_SKIP_INSTALL=1 never runs apt-get or npm (the test uses it): missing pieces are an error instead.
set -euo pipefail

cd "$(dirname "$0")/../notebooks"
PY=/usr/bin/python3 # another python3 earlier on PATH may not see Debian's packages
DEBS="jupyter-nbconvert python3-nbclient python3-ipykernel"
skip_install="${NOTEBOOKS_SKIP_INSTALL:-0}"

if ! "$PY" -c 'import nbconvert, nbclient, ipykernel' 2>/dev/null; then
  if [ "$skip_install" != 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "notebooks: installing $DEBS" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $DEBS >/dev/null
  else
    echo "notebooks: Jupyter is missing. Install it with: sudo apt-get install -y $DEBS" >&2
    exit 1
  fi
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  if [ "$skip_install" = 1 ]; then
    echo "notebooks: notebooks/node_modules is missing or stale; run: (cd notebooks && npm ci)" >&2
    exit 1
  fi
  npm ci --no-audit --no-fund
fi

export JUPYTER_PATH="$PWD/.jupyter/share/jupyter"
kernel="$JUPYTER_PATH/kernels/tslab/kernel.json"
if ! grep -qF "$PWD/node_modules/.bin/tslab" "$kernel" 2>/dev/null; then
  npx --no-install tslab install --python="$PY" --binary="$PWD/node_modules/.bin/tslab" --prefix "$PWD/.jupyter" >/dev/null
fi

out="${INTEREST_EVO_NB_OUT:-$PWD/out}/executed"
if [ $# -gt 0 ]; then notebooks=("$@"); else notebooks=(*.ipynb); fi
total_start=$SECONDS
"$PY" execute.py "$out" "${notebooks[@]}"
echo "notebooks: ${#notebooks[@]} executed in $((SECONDS - total_start)) s" >&2
