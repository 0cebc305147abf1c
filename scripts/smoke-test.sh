#!/usr/bin/env bash
# Smoke test of a deployed (or locally running) Unmanned Cafe API:
#   1. GET /health answers 200 (retried while the app cold-starts after a deployment);
#   2. with a token, an anonymous stock change must answer 401 (sign-in enforced); then the stock of the smoke
#      test's own store (SMOKE_STORE, never a real store) is read, then set to one cup;
#   3. POST /orders places one drink there and answers 202 with an id;
#   4. GET /orders/{id} is polled until the order is completed or cancelled;
#   5. the order's saga events are read back from the hub: through the Event Hubs Kafka endpoint when
#      SMOKE_EVENTHUBS_NAMESPACE is set (npm run events -- tail), or from the local host's event log with
#      SMOKE_EVENTS=local; skipped otherwise;
#   6. on the way out, whatever happened, the store's stock is put back to what it was (0 if it was never set).
# Sign-in: staff routes need a bearer token when the API enforces sign-in (AUTH_MODE=entra). SMOKE_BEARER_TOKEN
# gives one; SMOKE_TOKEN_RESOURCE (the API's application ID URI) makes this script take one with
# `az account get-access-token --resource`. The signed-in principal needs the Operator app role.
#
# Usage: scripts/smoke-test.sh https://<app>.azurewebsites.net
# Env: SMOKE_STORE (default smoke-test), SMOKE_HEALTH_TIMEOUT (s, default 300), SMOKE_ORDER_TIMEOUT (s, default
#      300), SMOKE_EVENTS_TIMEOUT (s, default 300), SMOKE_REQUIRE_COMPLETED=1 to fail when the order ends
#      cancelled, SMOKE_EVENTHUBS_NAMESPACE, SMOKE_EVENTS=local, SMOKE_BEARER_TOKEN, SMOKE_TOKEN_RESOURCE.
set -euo pipefail

BASE_URL="${1:-${SMOKE_BASE_URL:-}}"
if [ -z "$BASE_URL" ]; then
  echo "usage: $0 <base-url>" >&2
  exit 2
fi
BASE_URL="${BASE_URL%/}"
STORE="${SMOKE_STORE:-smoke-test}"
HEALTH_TIMEOUT="${SMOKE_HEALTH_TIMEOUT:-300}"
ORDER_TIMEOUT="${SMOKE_ORDER_TIMEOUT:-300}"
EVENTS_TIMEOUT="${SMOKE_EVENTS_TIMEOUT:-300}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# The smoke test sets and restores stock: it must never touch a store customers order from.
if [ "$STORE" = main ]; then
  echo "smoke: FAIL SMOKE_STORE must be a store of the smoke test's own, not main" >&2
  exit 2
fi

tmp="$(mktemp -d)"
original_cups=""
restore_stock() {
  if [ -n "$original_cups" ]; then
    status="$(request PUT "/inventories/$STORE" "{\"cups\":$original_cups}")"
    case "$status" in
      200 | 201 | 204) echo "smoke: stock of store $STORE restored to $original_cups" ;;
      *) echo "smoke: WARNING could not restore the stock of store $STORE to $original_cups (answered $status)" >&2 ;;
    esac
  fi
  rm -rf "$tmp"
}
trap restore_stock EXIT

TOKEN="${SMOKE_BEARER_TOKEN:-}"
if [ -z "$TOKEN" ] && [ -n "${SMOKE_TOKEN_RESOURCE:-}" ]; then
  TOKEN="$(az account get-access-token --resource "$SMOKE_TOKEN_RESOURCE" --query accessToken --output tsv)"
  echo "smoke: signed in for $SMOKE_TOKEN_RESOURCE"
fi

# request METHOD PATH [JSON-BODY] -> prints the HTTP status; the body lands in $tmp/body
request() {
  local method="$1" path="$2" body="${3:-}"
  local args=(--silent --show-error --max-time 30 --output "$tmp/body" --write-out '%{http_code}' -X "$method")
  if [ -n "$TOKEN" ]; then
    args+=(-H "Authorization: Bearer $TOKEN")
  fi
  if [ -n "$body" ]; then
    args+=(-H 'Content-Type: application/json' --data "$body")
  fi
  curl "${args[@]}" "$BASE_URL$path" || true
}

json_field() {
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s)[process.argv[1]];process.stdout.write(v===undefined||v===null?"":String(v))})' "$1" <"$tmp/body"
}

echo "smoke: GET $BASE_URL/health"
deadline=$((SECONDS + HEALTH_TIMEOUT))
while :; do
  status="$(request GET /health)"
  if [ "$status" = 200 ]; then
    echo "smoke: health 200 $(cat "$tmp/body")"
    break
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "smoke: FAIL /health answered $status for ${HEALTH_TIMEOUT}s" >&2
    exit 1
  fi
  sleep 5
done

# With a token, sign-in is meant to be enforced: an anonymous stock change must be refused.
if [ -n "$TOKEN" ]; then
  status="$(TOKEN='' request PUT "/inventories/$STORE" '{"cups":0}')"
  if [ "$status" != 401 ]; then
    echo "smoke: FAIL an anonymous PUT /inventories/$STORE answered $status, not 401: sign-in is not enforced" >&2
    exit 1
  fi
  echo "smoke: anonymous stock change refused (401)"
fi

# Read the stock first, so it can be put back; a store never set has 0 cups.
status="$(request GET "/inventories/$STORE")"
case "$status" in
  200) found_cups="$(json_field cups)" ;;
  404) found_cups=0 ;;
  *)
    echo "smoke: FAIL GET /inventories/$STORE answered $status: $(cat "$tmp/body")" >&2
    exit 1
    ;;
esac

status="$(request PUT "/inventories/$STORE" '{"cups":1}')"
case "$status" in
  200 | 201 | 204)
    original_cups="$found_cups"
    echo "smoke: stock of store $STORE was $found_cups, set to 1 ($status)"
    ;;
  *)
    echo "smoke: FAIL PUT /inventories/$STORE answered $status: $(cat "$tmp/body")" >&2
    exit 1
    ;;
esac

status="$(request POST /orders "{\"customerId\":\"smoke\",\"storeId\":\"$STORE\",\"items\":[{\"menuItemId\":\"americano\",\"quantity\":1}]}")"
if [ "$status" != 202 ]; then
  echo "smoke: FAIL POST /orders answered $status: $(cat "$tmp/body")" >&2
  exit 1
fi
order_id="$(json_field id)"
if [ -z "$order_id" ]; then
  echo "smoke: FAIL POST /orders gave no id: $(cat "$tmp/body")" >&2
  exit 1
fi
echo "smoke: order $order_id accepted (202)"

deadline=$((SECONDS + ORDER_TIMEOUT))
last=""
final=""
while [ -z "$final" ]; do
  status="$(request GET "/orders/$order_id")"
  if [ "$status" = 200 ]; then
    order_status="$(json_field status)"
    if [ "$order_status" != "$last" ]; then
      echo "smoke: order $order_id is $order_status"
      last="$order_status"
    fi
    case "$order_status" in
      completed | cancelled) final="$order_status" ;;
    esac
  elif [ "$status" != 404 ]; then
    echo "smoke: GET /orders/$order_id answered $status" >&2
  fi
  if [ -z "$final" ]; then
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "smoke: FAIL order $order_id not completed or cancelled after ${ORDER_TIMEOUT}s (last: ${last:-none})" >&2
      exit 1
    fi
    sleep 3
  fi
done
if [ "$final" = cancelled ] && [ "${SMOKE_REQUIRE_COMPLETED:-0}" = 1 ]; then
  echo "smoke: FAIL order ended cancelled: $(cat "$tmp/body")" >&2
  exit 1
fi

# The order's events, read back from the hub as any other reader would see them.
if [ "$final" = completed ]; then
  saga="OrderPlaced,CupsReserved,BrewingStarted,BeverageCompleted,OrderCompleted"
else
  saga="OrderPlaced,OrderCancelled"
fi
if [ -n "${SMOKE_EVENTHUBS_NAMESPACE:-}" ]; then
  where=(--namespace "$SMOKE_EVENTHUBS_NAMESPACE")
elif [ "${SMOKE_EVENTS:-}" = local ]; then
  where=(--local --url "$BASE_URL")
else
  where=()
fi
if [ ${#where[@]} -gt 0 ]; then
  echo "smoke: reading the order's events ($saga) from the hub"
  deadline=$((SECONDS + EVENTS_TIMEOUT))
  # A role assignment made by this deployment can take minutes to reach the Kafka endpoint: try again until
  # the deadline.
  until node "$ROOT/scripts/events.mjs" tail "${where[@]}" --from-beginning --order "$order_id" --until "$saga" \
    --timeout "$((deadline - SECONDS > 30 ? deadline - SECONDS : 30))"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "smoke: FAIL the events of order $order_id ($saga) were not all read from the hub in ${EVENTS_TIMEOUT}s" >&2
      exit 1
    fi
    sleep 10
  done
fi
echo "smoke: OK (order $order_id $final)"
