#!/usr/bin/env bash
# Smoke test of a deployed (or locally running) Unmanned Cafe API:
#   1. GET /health answers 200 (retried while the app cold-starts after a deployment);
#   2. PUT /inventories/smoke without a token is refused (401: sign-in is enforced), and with SMOKE_TOKEN
#      (an operator's bearer token; unset against AUTH_MODE=off) sets stock for the store "smoke";
#   3. POST /orders places one drink there and answers 202 with an id;
#   4. GET /orders/{id} is polled until the order is completed or cancelled.
# Fails on any unexpected status or when the order does not finish in time.
#
# Usage: scripts/smoke-test.sh https://<app>.azurewebsites.net
# Env: SMOKE_STORE (default smoke), SMOKE_HEALTH_TIMEOUT (s, default 300), SMOKE_ORDER_TIMEOUT (s, default 300),
#      SMOKE_REQUIRE_COMPLETED=1 to fail when the order ends cancelled.
set -euo pipefail

BASE_URL="${1:-${SMOKE_BASE_URL:-}}"
if [ -z "$BASE_URL" ]; then
  echo "usage: $0 <base-url>" >&2
  exit 2
fi
BASE_URL="${BASE_URL%/}"
STORE="${SMOKE_STORE:-smoke}"
HEALTH_TIMEOUT="${SMOKE_HEALTH_TIMEOUT:-300}"
ORDER_TIMEOUT="${SMOKE_ORDER_TIMEOUT:-300}"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# request METHOD PATH [JSON-BODY] [TOKEN] -> prints the HTTP status; the body lands in $tmp/body
request() {
  local method="$1" path="$2" body="${3:-}" token="${4:-}"
  local args=(--silent --show-error --max-time 30 --output "$tmp/body" --write-out '%{http_code}' -X "$method")
  if [ -n "$token" ]; then
    args+=(-H "Authorization: Bearer $token")
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

if [ -n "${SMOKE_TOKEN:-}" ]; then
  status="$(request PUT "/inventories/$STORE" '{"cups":0}')"
  if [ "$status" != 401 ]; then
    echo "smoke: FAIL an anonymous PUT /inventories/$STORE answered $status, not 401: sign-in is not enforced" >&2
    exit 1
  fi
  echo "smoke: anonymous stock change refused (401)"
fi

status="$(request PUT "/inventories/$STORE" '{"cups":10}' "${SMOKE_TOKEN:-}")"
case "$status" in
  200 | 201 | 202 | 204) echo "smoke: stock for store $STORE set ($status)" ;;
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
while :; do
  status="$(request GET "/orders/$order_id")"
  if [ "$status" = 200 ]; then
    order_status="$(json_field status)"
    if [ "$order_status" != "$last" ]; then
      echo "smoke: order $order_id is $order_status"
      last="$order_status"
    fi
    case "$order_status" in
      completed)
        echo "smoke: OK"
        exit 0
        ;;
      cancelled)
        if [ "${SMOKE_REQUIRE_COMPLETED:-0}" = 1 ]; then
          echo "smoke: FAIL order ended cancelled: $(cat "$tmp/body")" >&2
          exit 1
        fi
        echo "smoke: OK (order ended cancelled: $(cat "$tmp/body"))"
        exit 0
        ;;
    esac
  elif [ "$status" != 404 ]; then
    echo "smoke: GET /orders/$order_id answered $status" >&2
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "smoke: FAIL order $order_id not completed or cancelled after ${ORDER_TIMEOUT}s (last: ${last:-none})" >&2
    exit 1
  fi
  sleep 3
done
