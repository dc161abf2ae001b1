#!/usr/bin/env bash
# Signs a desktop in with a phone against a running service, with curl only (node reads the JSON answers).
# Usage: scripts/demo-login.sh [base URL, default http://localhost:3000]
set -euo pipefail
BASE="${1:-http://localhost:3000}/api"
json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=process.argv[1].split(".").reduce((o,k)=>o?.[k],JSON.parse(s));console.log(typeof v==="object"?JSON.stringify(v):v)})' "$1"; }
say() { printf '\n\033[1m%s\033[0m\n' "$*"; }

USER="demo-$RANDOM$RANDOM"
say "1. Register ${USER} and sign in on a phone (device phone-${USER})"
curl -sf -X POST "$BASE/accounts" -H 'Content-Type: application/json' \
  -d "{\"username\":\"$USER\",\"password\":\"correct horse battery\",\"displayName\":\"Demo User\"}" >/dev/null
LOGIN=$(curl -sf -X POST "$BASE/auth/login" -H 'Content-Type: application/json' \
  -d "{\"username\":\"$USER\",\"password\":\"correct horse battery\",\"device\":{\"id\":\"phone-$USER\",\"type\":\"ios\",\"name\":\"Demo iPhone\"}}")
PHONE_TOKEN=$(echo "$LOGIN" | json accessToken)
PHONE=(-H "Authorization: Bearer $PHONE_TOKEN" -H "X-Device-Id: phone-$USER")
echo "phone token: ${PHONE_TOKEN:0:24}..."

say "2. The desktop asks for a QR session"
QR=$(curl -sf -X POST "$BASE/qr-sessions?image=none" -H 'Content-Type: application/json' \
  -d "{\"device\":{\"id\":\"desktop-$USER\",\"type\":\"web\",\"name\":\"Demo browser\"}}")
QR_ID=$(echo "$QR" | json id); SECRET=$(echo "$QR" | json secret)
echo "QR content (what the code shows): $(echo "$QR" | json qrContent)"

say "3. The desktop waits (long-poll) while the phone scans"
curl -sf "$BASE/qr-sessions/$QR_ID?since=pending&wait=30" -H "X-QR-Secret: $SECRET" > /tmp/qr-demo-wait.$$ &
WAITER=$!
sleep 0.5
SCAN=$(curl -sf -X POST "$BASE/qr-sessions/$QR_ID/scan" "${PHONE[@]}")
echo "the phone sees who asks: $(echo "$SCAN" | json requester)"
wait $WAITER
echo "the desktop learns: $(cat /tmp/qr-demo-wait.$$)"; rm -f /tmp/qr-demo-wait.$$

say "4. The phone confirms with its scan ticket"
curl -sf -X POST "$BASE/qr-sessions/$QR_ID/confirm" "${PHONE[@]}" -H 'Content-Type: application/json' \
  -d "{\"scanTicket\":\"$(echo "$SCAN" | json scanTicket)\"}"; echo

say "5. The desktop picks up its own token and uses it"
SNAPSHOT=$(curl -sf "$BASE/qr-sessions/$QR_ID" -H "X-QR-Secret: $SECRET")
DESKTOP_TOKEN=$(echo "$SNAPSHOT" | json login.accessToken)
curl -sf "$BASE/me" -H "Authorization: Bearer $DESKTOP_TOKEN" -H "X-Device-Id: desktop-$USER"; echo
say "Signed in. The same token with another device id answers:"
curl -s "$BASE/me" -H "Authorization: Bearer $DESKTOP_TOKEN" -H "X-Device-Id: phone-$USER"; echo
