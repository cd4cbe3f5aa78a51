#!/usr/bin/env bash
# make demo: an embedded store in ./.privault with 1,000 fake customers, shown masked.
set -euo pipefail
cd "$(dirname "$0")/.."
export PRIVAULT_DATA_DIR="${PRIVAULT_DATA_DIR:-.privault}"
if [ -z "${PRIVAULT_PASSPHRASE:-}" ]; then
  # Demo only: a fixed passphrase so the demo runs unattended. Real installs
  # set their own (or type it at the prompt) and keep it out of shell history.
  export PRIVAULT_PASSPHRASE="demo-only passphrase, change me"
  echo "demo: using the demo passphrase (set PRIVAULT_PASSPHRASE to choose your own)"
fi
PV=.venv/bin/privault
if [ ! -f "$PRIVAULT_DATA_DIR/root.key" ]; then
  $PV init
fi
$PV db upgrade
if ! $PV tenant list | grep -q "demo-client"; then
  $PV tenant create demo-client --name "Demo Client Ltd"
fi
$PV schema apply examples/customer.yaml --tenant demo-client
marker="$PRIVAULT_DATA_DIR/.demo-customers-loaded"
if [ ! -f "$marker" ]; then
  data="$PRIVAULT_DATA_DIR/demo-customers.jsonl"
  .venv/bin/python scripts/demo_data.py --count 1000 > "$data"
  $PV vault import "$data" --tenant demo-client --type customer
  rm -f "$data"
  touch "$marker"
fi
COLUMNS="${COLUMNS:-160}" $PV vault list --tenant demo-client --type customer --purpose demo \
  --view masked --limit 15 --fields customer_id,name,email,phone,card,ssn,birth_date
$PV audit verify
cat <<MSG

The demo store is in $PRIVAULT_DATA_DIR. Try:
  export PRIVAULT_DATA_DIR=$PRIVAULT_DATA_DIR PRIVAULT_PASSPHRASE='$PRIVAULT_PASSPHRASE'
  $PV vault find --tenant demo-client --type customer --field customer_id --value C100042 --purpose support
  $PV vault list --tenant demo-client --purpose support --view token --limit 5 -f json
  $PV keys status
  $PV audit search --limit 10
MSG

if [ "${PRIVAULT_DEMO_SERVE:-1}" = "1" ]; then
  echo
  echo "Serving the dashboard at http://127.0.0.1:8080 (Ctrl-C to stop)."
  exec $PV serve --host 127.0.0.1 --port 8080
fi
