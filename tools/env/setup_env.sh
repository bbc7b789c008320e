#!/usr/bin/env bash
# Builds (or reuses) the project's virtual environment.
#
# Idempotent: a stamp in the venv records a hash of the requirements files and
# of this script; when it matches, nothing is done. Wheels compiled here
# (mmcv with ops, xtcocotools for numpy 2, chumpy) are kept in a wheel cache
# outside the checkout, so a fresh clone on the same machine reinstalls in
# about two minutes instead of compiling for ten.
#
# Environment variables:
#   TDMI_VENV        venv folder (default: <repo>/.venv)
#   TDMI_WHEELHOUSE  wheel cache (default: ~/.cache/tdmi_mmpose/wheels)
#   PYTHON           interpreter to create the venv with (default: python3.11)
#   TDMI_SETUP_RECORD  also write the phases' times as a docs record there
#                    (e.g. docs/en/records/setup.json)
set -euo pipefail
shopt -s inherit_errexit
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${TDMI_VENV:-$ROOT/.venv}"
WHEELS="${TDMI_WHEELHOUSE:-$HOME/.cache/tdmi_mmpose/wheels}"
PY="${PYTHON:-python3.11}"
REQ="$ROOT/requirements"
STAMP="$VENV/.tdmi_env_stamp"

hash_inputs() {
  cat "$REQ"/*.txt "$ROOT/tools/env/setup_env.sh" "$ROOT/tools/env/cxx20" \
    "$ROOT/setup.py" "$ROOT/setup.cfg" | sha256sum | cut -d' ' -f1
}
WANT="$(hash_inputs)"
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$WANT" ]]; then
  echo "[setup_env] environment up to date: $VENV"
  exit 0
fi

log() { echo "[setup_env $(date +%H:%M:%S)] $*"; }
t0=$SECONDS
LOAD0="$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo unknown)"
# phase NAME: the seconds since the previous phase ended, for the record
PHASES=() t_last=$SECONDS
phase() { PHASES+=("$1=$((SECONDS - t_last))"); t_last=$SECONDS; }
COMPILED=()
if [[ ! -x "$VENV/bin/python" ]]; then
  log "creating venv $VENV with $PY"
  "$PY" -m venv "$VENV"
fi
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check)
mkdir -p "$WHEELS"

log "build tools"
"${PIP[@]}" install -q -U "pip>=24,<26"
"${PIP[@]}" install -q -r "$REQ/build.txt"
phase "venv and build tools"
log "torch / torchvision (large: about a minute from the local cache)"
"${PIP[@]}" install -q -r "$REQ/torch.txt"
"${PIP[@]}" install -q numpy==2.2.6
phase "torch, torchvision, numpy"

# Compiled wheels, built once into the wheel cache.
find_wheel() { ls "$WHEELS"/"$1"-"$2"-*.whl 2>/dev/null | head -n1 || true; }
# cached_wheel NAME WHY [VAR=VALUE ...]: prints the cached wheel of NAME at
# its pin in compiled.txt, first building it from source (no build
# isolation, with the given environment) when the cache lacks it.
cached_wheel() {
  local name=$1 why=$2 want whl
  shift 2
  want="$(grep -E "^$name==" "$REQ/compiled.txt")"
  whl="$(find_wheel "$name" "${want#*==}")"
  if [[ -z "$whl" ]]; then
    log "building $want ($why) into $WHEELS" >&2
    echo "$name" >> "$WHEELS/.built_now"
    # --no-cache-dir: compiled here, not taken from pip's own wheel cache
    # (this wheel cache is the one the script keeps and reports)
    env "$@" "${PIP[@]}" wheel -q --no-deps --no-build-isolation \
      --no-cache-dir --no-binary "$name" -w "$WHEELS" "$want" >&2
    whl="$(find_wheel "$name" "${want#*==}")"
    [[ -n "$whl" ]] || { log "no $name wheel in $WHEELS after the build" >&2; return 1; }
  fi
  echo "$whl"
}
rm -f "$WHEELS/.built_now"
MMCV_WHL="$(cached_wheel mmcv "ops compiled with C++20, about 10 minutes on 2 cores" \
  MMCV_WITH_OPS=1 FORCE_CUDA=0 MAX_JOBS="${MAX_JOBS:-$(nproc)}" \
  CC="$ROOT/tools/env/cxx20" CXX="$ROOT/tools/env/cxx20")"
XTC_WHL="$(cached_wheel xtcocotools "against numpy 2")"
# chumpy's setup.py imports pip, which an isolated build environment lacks
CHUMPY_WHL="$(cached_wheel chumpy "mmpose's dependency")"
phase "mmcv, xtcocotools, chumpy wheels (built or cached)"
log "installing compiled wheels and the runtime stack"
"${PIP[@]}" install -q --no-deps "$MMCV_WHL" "$XTC_WHL" "$CHUMPY_WHL"
"${PIP[@]}" install -q -r "$REQ/runtime.txt" -r "$REQ/mim.txt" -r "$REQ/tests.txt" \
  -r "$REQ/deploy.txt" -r "$REQ/docs.txt"
"${PIP[@]}" install -q --no-deps -r "$REQ/nodeps.txt"
# Development install in the classic "develop" layout: metadata
# (tdmi_mmpose.egg-info) beside the sources and a .pth naming the checkout.
# mim locates a package's configs and tools from the metadata's location,
# which a PEP 660 editable install (pip >= 25.3 and setuptools >= 80 give
# no other) puts in site-packages, where mim then finds nothing.
phase "runtime, test, deploy and docs requirements"
log "installing tdmi_mmpose (development mode)"
(cd "$ROOT" && "$VENV/bin/python" setup.py -q egg_info >/dev/null)
SITE="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
echo "$ROOT" > "$SITE/tdmi_mmpose-develop.pth"

log "checking the stack"
"$VENV/bin/python" - <<'PY'
import mmcv, mmengine, mmdet, mmpose, torch, numpy, xtcocotools.coco  # noqa
from mmcv.ops import ModulatedDeformConv2d  # noqa: compiled ops present
import tdmi_mmpose  # noqa
print(f'torch {torch.__version__}, mmcv {mmcv.__version__}, mmengine '
      f'{mmengine.__version__}, mmdet {mmdet.__version__}, mmpose '
      f'{mmpose.__version__}, numpy {numpy.__version__}')
PY
phase "tdmi_mmpose and the stack check"
echo "$WANT" > "$STAMP"
log "environment ready in $((SECONDS - t0)) s: $VENV"
if [[ -n "${TDMI_SETUP_RECORD:-}" ]]; then
  BUILT="$(paste -sd, "$WHEELS/.built_now" 2>/dev/null || true)"
  SIZE="$(du -sh "$VENV" | cut -f1)"
  (cd "$ROOT" && "$VENV/bin/python" -m tdmi_mmpose.experiments.setup_record \
    "$TDMI_SETUP_RECORD" "$((SECONDS - t0))" "${BUILT:-none}" "$SIZE" \
    "${TDMI_CXX_OPT:--O1}" "$LOAD0" "${PHASES[@]}")
fi
rm -f "$WHEELS/.built_now"
