#!/usr/bin/env bash
# Load test, headless and bounded in time (not CI): bench/last.sh [--anvandare 50] [--sekunder 30]
# Needs locust in .venv (optional bench dependency): .venv/bin/pip install -c requirements.lock locust
# Set SOCIALRAPPORT_ROT=/path/to/checkout to run another checkout's code (see bench/README.md).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec "$here/../.venv/bin/python" "$here/last.py" "$@"
