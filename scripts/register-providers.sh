#!/usr/bin/env bash
# Registers the resource providers a first deployment needs in the signed-in subscription (az CLI), and waits
# until they are registered. ARM registers most providers by itself when a template first uses them, but the
# Flex Consumption plan also depends on Microsoft.App, which no resource in the template names: on a
# subscription where it is not registered, creating the site fails. Registering an already registered
# provider changes nothing, so this runs before every deployment (deploy workflow, azd preprovision hook).
# Needs the Microsoft.Resources "register" permission at subscription scope (Contributor has it).
set -euo pipefail

PROVIDERS=(Microsoft.App Microsoft.Web Microsoft.EventHub Microsoft.Storage Microsoft.OperationalInsights Microsoft.Insights Microsoft.ManagedIdentity)

if ! command -v az >/dev/null 2>&1; then
  echo "register-providers: the Azure CLI (az) is needed to check the resource providers; register them yourself:" >&2
  printf '  az provider register --namespace %s --wait\n' "${PROVIDERS[@]}" >&2
  exit 1
fi

for provider in "${PROVIDERS[@]}"; do
  state="$(az provider show --namespace "$provider" --query registrationState --output tsv 2>/dev/null || echo NotRegistered)"
  if [ "$state" = Registered ]; then
    echo "register-providers: $provider registered"
    continue
  fi
  echo "register-providers: registering $provider (was ${state:-unknown})"
  az provider register --namespace "$provider" --wait --output none
done
