#!/usr/bin/env bash
# Replays docker/Dockerfile without a Docker engine: each stage in a clean
# directory of its own (standing in for its WORKDIR), its COPY and RUN steps in
# order, then checks that the runtime stage's tree starts: every app's main.js
# loads all of its imports and stops with exit code 78 on a bad setting, and
# every package the built code imports is installed. A runtime dependency
# listed only under devDependencies fails here, as it would in the image.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dockerfile="$root/docker/Dockerfile"
work="$(mktemp -d "${TMPDIR:-/tmp}/gw-image-XXXXXX")"
trap 'rm -rf "$work"' EXIT

# The packages are those of the lock file either way; npm's cache (warm after the
# checkout's own `npm ci`) spares asking the registry about each one again.
export npm_config_prefer_offline=true

log() { printf '\n== %s\n' "$*"; }
fail() { printf 'verify-build: %s\n' "$*" >&2; exit 1; }

# ---- replay ---------------------------------------------------------------

stage=""
runtime_env=()
# Continuation lines joined, comments dropped.
while read -r instruction rest; do
  case "$instruction" in
    FROM)
      # FROM image AS name: the stage's directory is named after it.
      stage="${rest##* }"
      mkdir -p "$work/$stage"
      runtime_env=()
      ;;
    WORKDIR | USER | CMD | ENTRYPOINT | EXPOSE | LABEL) ;;
    ENV) runtime_env+=($rest) ;;
    COPY)
      read -ra words <<<"$rest"
      from=""
      if [[ "${words[0]}" == --from=* ]]; then
        from="${words[0]#--from=}"
        words=("${words[@]:1}")
      fi
      dest="${words[-1]}"
      for src in "${words[@]:0:${#words[@]}-1}"; do
        if [ -n "$from" ]; then
          # A path in another stage's WORKDIR (/app): that stage's directory.
          cp -a "$work/$from/${src#/app/}" "$work/$stage/$dest"
        else
          cp -a "$root/$src" "$work/$stage/$dest"
        fi
      done
      ;;
    RUN)
      log "[$stage] $rest"
      (cd "$work/$stage" && bash -euo pipefail -c "$rest")
      ;;
    *) fail "Dockerfile instruction $instruction is not replayed by this script: teach it" ;;
  esac
done < <(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$dockerfile" | grep -v -E '^\s*(#|$)')

[ "$stage" = runtime ] || fail "the Dockerfile's last stage is \"$stage\", expected \"runtime\""
image="$work/runtime"
log "checking the runtime tree (${runtime_env[*]:-no ENV})"

# ---- checks ---------------------------------------------------------------

# The image's environment only: none of this machine's settings leak in.
run_in_image() {
  (cd "$image" && env -i PATH="$PATH" HOME="$work" "${runtime_env[@]}" "$@")
}

# Every app loads its whole module graph at start, then validates its settings:
# a bad LOG_LEVEL must stop it with 78 (EX_CONFIG), naming the variable.
for entry in dist/apps/scim/src/main.js dist/apps/oidc/src/main.js dist/apps/worker/src/main.js \
  dist/apps/launcher/src/main.js dist/apps/launcher/src/migrate.js; do
  [ -f "$image/$entry" ] || fail "$entry is missing from the image"
  status=0
  output="$(run_in_image LOG_LEVEL=nonsense timeout 60 node "$entry" 2>&1)" || status=$?
  if [ "$status" -ne 78 ] || ! grep -q LOG_LEVEL <<<"$output"; then
    fail "$entry exited $status, not 78 naming LOG_LEVEL, on a bad setting:
$output"
  fi
  echo "ok  $entry stops with 78 on a bad setting"
done

# The setup portal and console: the OIDC app serves dist/web, which the build stage made with Vite.
[ -f "$image/dist/web/index.html" ] && compgen -G "$image/dist/web/assets/*.js" >/dev/null ||
  fail "dist/web (the portal and console bundle) is missing from the image"
echo "ok  dist/web holds the portal and console bundle"

run_in_image timeout 60 node dist/apps/cli/src/main.js --help >/dev/null || fail "the CLI does not start in the image"
echo "ok  dist/apps/cli/src/main.js --help"

# Every bare package the built apps import (require or dynamic import) resolves
# from the file that imports it. The development commands (dist/apps/dev) are
# not run from the image and may use devDependencies.
run_in_image node - <<'EOF'
const { readFileSync, readdirSync } = require('node:fs');
const { createRequire, builtinModules } = require('node:module');
const { join } = require('node:path');
const files = readdirSync('dist', { recursive: true })
  .map((file) => join('dist', String(file)))
  .filter((file) => file.endsWith('.js') && !file.startsWith(join('dist', 'apps', 'dev')));
const missing = [];
let checked = 0;
for (const file of files) {
  const source = readFileSync(file, 'utf8');
  for (const [, specifier] of source.matchAll(/\b(?:require|import)\(\s*["']([^"'./][^"']*)["']\s*\)/g)) {
    if (specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0])) continue;
    checked++;
    try {
      createRequire(join(process.cwd(), file)).resolve(specifier);
    } catch (error) {
      // An ESM-only package may refuse require.resolve, but it is installed.
      if (error.code === 'MODULE_NOT_FOUND') missing.push(`${file}: ${specifier}`);
    }
  }
}
if (missing.length > 0) {
  console.error(`imported but not installed in the image (a devDependency?):\n  ${missing.join('\n  ')}`);
  process.exit(1);
}
console.log(`ok  ${checked} package imports in ${files.length} files resolve`);
EOF
log "the image's build steps work from a clean directory"
