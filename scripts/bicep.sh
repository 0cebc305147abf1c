#!/usr/bin/env bash
# Runs the Bicep CLI with the given arguments (`npm run bicep -- build infra/main.bicep`).
#
# The version is pinned (BICEP_VERSION below): the checks and the deployment compile with exactly it, never
# with whatever a runner happens to have. Where the CLI comes from, first hit wins:
#   1. $BICEP_CLI (an explicit path to a bicep executable; trusted as it is)
#   2. `bicep` on PATH, if it is the pinned version
#   3. the copy the Azure CLI manages (~/.azure/bin/bicep), if it is the pinned version
#   4. a cached copy in .tools/bicep/<version>/ (git-ignored)
#   5. restored from the NuGet package Azure.Bicep.CommandLine.<rid> with `dotnet restore` of a throwaway
#      project in a temp folder, then cached as in 4.
# `scripts/bicep.sh --which` prints the path of the CLI it would run (restoring it if needed) and exits.
#
# The Linux binary is a self-contained .NET app: without ICU it aborts with "Couldn't find a valid ICU
# package", so when no libicu is installed this runs it in .NET's invariant globalization mode.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BICEP_VERSION="${BICEP_VERSION:-0.49.2}"

log() { printf 'bicep.sh: %s\n' "$*" >&2; }

runtime_id() {
  local os arch
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=osx ;;
    *) log "unsupported OS $(uname -s) for the NuGet fallback"; return 1 ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) log "unsupported CPU $(uname -m) for the NuGet fallback"; return 1 ;;
  esac
  printf '%s-%s' "$os" "$arch"
}

have_icu() {
  if [ "$(uname -s)" != Linux ]; then return 0; fi
  if command -v ldconfig >/dev/null 2>&1 && ldconfig -p 2>/dev/null | grep -q 'libicuuc\.so'; then return 0; fi
  compgen -G '/usr/lib/*/libicuuc.so*' >/dev/null || compgen -G '/usr/lib/libicuuc.so*' >/dev/null \
    || compgen -G '/lib/*/libicuuc.so*' >/dev/null
}

restore_from_nuget() {
  local rid="$1" dest="$2"
  if ! command -v dotnet >/dev/null 2>&1; then
    log "no bicep on PATH, no Azure CLI copy, no cached copy and no dotnet to restore one."
    log "Install the Bicep CLI (https://aka.ms/bicep-install), 'az bicep install', or the .NET SDK."
    return 1
  fi
  local pkg="Azure.Bicep.CommandLine.${rid}"
  local sdk_major tfm tmp
  sdk_major="$(dotnet --version | cut -d. -f1)"
  tfm="net${sdk_major}.0"
  tmp="$(mktemp -d)"
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" RETURN
  log "restoring ${pkg} ${BICEP_VERSION} from NuGet (dotnet restore, ${tfm})"
  cat >"$tmp/restore.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>${tfm}</TargetFramework>
    <NoWarn>\$(NoWarn);NU1701;NU1702</NoWarn>
  </PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="${pkg}" Version="[${BICEP_VERSION}]" />
  </ItemGroup>
</Project>
EOF
  if ! dotnet restore "$tmp/restore.csproj" --packages "$tmp/packages" --nologo -v quiet >"$tmp/restore.log" 2>&1; then
    cat "$tmp/restore.log" >&2
    log "dotnet restore of ${pkg} ${BICEP_VERSION} failed"
    return 1
  fi
  local lower
  lower="$(printf '%s' "$pkg" | tr '[:upper:]' '[:lower:]')"
  local src="$tmp/packages/${lower}/${BICEP_VERSION}/tools/bicep"
  if [ ! -f "$src" ]; then
    log "the restored package has no tools/bicep (looked at $src)"
    return 1
  fi
  mkdir -p "$(dirname "$dest")"
  cp "$src" "$dest.tmp.$$"
  chmod +x "$dest.tmp.$$"
  mv -f "$dest.tmp.$$" "$dest"
  log "cached $dest"
}

# True when the CLI at $1 reports exactly BICEP_VERSION ("Bicep CLI version 0.49.2 (...)").
is_pinned() {
  local reported
  reported="$("$1" --version 2>/dev/null | sed -n 's/^Bicep CLI version \([0-9.]*\).*/\1/p' | head -n1)"
  if [ "$reported" = "$BICEP_VERSION" ]; then return 0; fi
  log "ignoring $1 (version ${reported:-unknown}, pinned ${BICEP_VERSION})"
  return 1
}

find_bicep() {
  if [ -n "${BICEP_CLI:-}" ]; then
    printf '%s' "$BICEP_CLI"
    return 0
  fi
  if command -v bicep >/dev/null 2>&1 && is_pinned "$(command -v bicep)"; then
    command -v bicep
    return 0
  fi
  local azcopy="${HOME:-/root}/.azure/bin/bicep"
  if [ -x "$azcopy" ] && is_pinned "$azcopy"; then
    printf '%s' "$azcopy"
    return 0
  fi
  local rid
  rid="$(runtime_id)" || return 1
  local cached="$ROOT/.tools/bicep/${BICEP_VERSION}/${rid}/bicep"
  if [ ! -x "$cached" ]; then
    restore_from_nuget "$rid" "$cached" || return 1
  fi
  printf '%s' "$cached"
}

if ! have_icu && [ -z "${DOTNET_SYSTEM_GLOBALIZATION_INVARIANT:-}" ]; then
  export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
fi

BICEP="$(find_bicep)" || exit 127

if [ "${1:-}" = "--which" ]; then
  printf '%s\n' "$BICEP"
  exit 0
fi
if [ "$#" -eq 0 ]; then
  set -- --version
fi
exec "$BICEP" "$@"
