#!/usr/bin/env bash
# Installs the peer tools the tests compare against (never runtime dependencies):
# Debian's bgpdump (MRT oracle), BGPy in its own virtualenv (route-simulation oracle),
# and Debian's chromium (browser tests, driven by Playwright; never `playwright install`)
# and wrk (load test of the web app).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for tool in bgpdump chromium wrk; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [[ ! -x .peers/bgpy/bin/python ]] || ! .peers/bgpy/bin/python -c "import bgpy" 2>/dev/null; then
  python3 -m venv .peers/bgpy
  .peers/bgpy/bin/pip install -q --disable-pip-version-check "bgpy-pkg==13.0.13"
fi
echo "peers ready: $(command -v bgpdump) $(command -v chromium) $(command -v wrk), bgpy-pkg $(.peers/bgpy/bin/python -c "import importlib.metadata as m; print(m.version('bgpy-pkg'))")"
