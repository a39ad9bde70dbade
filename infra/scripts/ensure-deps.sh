# Sourced by start.sh and test.sh: checks Node, installs the npm packages when the lockfile is
# newer than the installed tree (or nothing is installed yet), and compiles the TypeScript.
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
node_minor=$(node -p 'process.versions.node.split(".")[1]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ] || { [ "$node_major" -eq 20 ] && [ "$node_minor" -lt 12 ]; }; then
  echo "sluice needs Node.js 20.12 or newer (found $(node --version 2>/dev/null || echo none))." >&2
  exit 1
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing npm packages (npm ci)..." >&2
  npm ci --no-audit --no-fund
fi
npm run --silent build
