#!/usr/bin/env bash
# Build what the opt-in tests/test_marvin_real.py needs from a CloudStack git repository:
#   ci/real-marvin.sh GIT_DIR [REVISION] [WORK]      (REVISION: HEAD, WORK: /tmp/vrtest-real-marvin)
# WORK/cloudstack: a checkout-shaped tree (tools/marvin, test/integration, setup/dev, systemvm:
# VRTEST_CLOUDSTACK serves tests/test_fastlane_cloudstack.py too) whose
# marvin/cloudstackAPI is generated (ci/marvin_commands_xml.py + Marvin's own codegenerator.py);
# WORK/venv: Python with that Marvin, pynose (CloudStack CI's nose) and pytest. Nothing of it is
# ever committed. Then run what it prints. Needs network access to PyPI only.
set -euo pipefail
GIT_DIR=$(cd "$1" && pwd)
REVISION=${2:-HEAD}
WORK=${3:-/tmp/vrtest-real-marvin}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$WORK"
cd "$WORK"  # not inside GIT_DIR: a bare repository's HEAD file makes "HEAD" ambiguous there

rm -rf cloudstack && mkdir cloudstack
git --git-dir="$GIT_DIR" archive "$REVISION" tools/marvin test/integration setup/dev systemvm \
  | tar -x -C cloudstack
python3 "$HERE/marvin_commands_xml.py" "$GIT_DIR" "$REVISION" commands.xml
(cd cloudstack/tools/marvin/marvin && python3 codegenerator.py -s "$WORK/commands.xml" -o .)
# "4.22.0.0-SNAPSHOT" is not a PEP 440 version: today's pip refuses to build it.
sed -i -E 's/^VERSION = "([0-9.]+)-SNAPSHOT"/VERSION = "\1.dev0"/' cloudstack/tools/marvin/setup.py

[ -x venv/bin/python ] || python3 -m venv venv
# Marvin's install_requires, less nose (pynose replaces it: nose 1.3.7 fails on Python >= 3.10)
# and ipmisim/PyCrypt (pycrypto does not build on Python >= 3.11; only the out-of-band
# management suites import ipmisim).
mapfile -t REQUIREMENTS < <(python3 - cloudstack/tools/marvin/setup.py <<'EOF'
import ast, sys
tree = ast.parse(open(sys.argv[1]).read())
for node in ast.walk(tree):
    if isinstance(node, ast.keyword) and node.arg == "install_requires":
        for item in node.value.elts:
            if not item.value.split()[0].lower().startswith(("nose", "ipmisim", "pycrypt")):
                print(item.value)
EOF
)
venv/bin/pip install -q "${REQUIREMENTS[@]}" pynose pytest wheel
venv/bin/pip install -q --no-deps ./cloudstack/tools/marvin
venv/bin/python -c "import marvin.marvinInit, marvin.cloudstackAPI.listRouters, nose, pytest"
echo "export VRTEST_MARVIN_PYTHON=$WORK/venv/bin/python VRTEST_CLOUDSTACK=$WORK/cloudstack"
echo "pytest tests/test_marvin_real.py    # as root: it brings up its own lab"
