#!/usr/bin/env bash
# Installs what RiskStream needs and is missing on a Debian machine, then exports RISKSTREAM_PYTHON.
#   - apt: libzmq3-dev (libzmq and its headers), pkg-config, python3-venv
#   - a Python virtualenv under .build/venv with pyzmq, for the interop clients (skip with --no-python)
# Idempotent and quiet when everything is present. Source it or run it; it never builds the project.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
want_python=1
[[ "${1:-}" == "--no-python" ]] && want_python=0

say() { printf 'bootstrap: %s\n' "$*" >&2; }

missing=()
for pkg in libzmq3-dev pkg-config python3-venv; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
    say "installing ${missing[*]} with apt-get"
    sudo=""
    [[ $(id -u) -ne 0 ]] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
    say "error: no Swift toolchain on PATH; RiskStream needs Swift 6.1 or later"
    exit 69
fi

# The scripts that compare with Python peers share these two steps.
# build_riskstream: builds `riskstream` (release) in ${RISKSTREAM_SCRATCH:-.build}; sets $riskstream.
build_riskstream() {
    local scratch="${RISKSTREAM_SCRATCH:-.build}"
    echo "== building riskstream (release)" >&2
    swift build -c release --scratch-path "$scratch" --product riskstream >&2
    riskstream="$(swift build -c release --scratch-path "$scratch" --show-bin-path)/riskstream"
}
# ensure_venv DIR MODULES PACKAGE...: a virtualenv at DIR in which `import MODULES` works, made anew with
# pip from PyPI when it does not.
ensure_venv() {
    local dir=$1 modules=$2
    shift 2
    if ! "$dir/bin/python" -c "import $modules" 2>/dev/null; then
        say "making $dir with $*"
        rm -rf "$dir"
        mkdir -p "$(dirname "$dir")"
        python3 -m venv "$dir"
        "$dir/bin/pip" install --quiet --disable-pip-version-check "$@" >&2
    fi
}

if ((want_python)); then
    venv="$root/.build/venv"
    if ! "$venv/bin/python3" -c 'import zmq' >/dev/null 2>&1; then
        say "creating $venv with pyzmq"
        rm -rf "$venv"
        mkdir -p "$root/.build"
        python3 -m venv "$venv"
        "$venv/bin/python3" -m pip install --quiet --disable-pip-version-check "pyzmq>=25,<28"
    fi
    export RISKSTREAM_PYTHON="$venv/bin/python3"
fi
