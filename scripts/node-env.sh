# Sourced by scripts/dev.sh and tests/run.sh: puts the front end's Node on PATH.
# frontend/.nvmrc names the major version (the Dockerfile and CI use the same); Uppy and Vite
# need it. When the machine's node is another version, that Node comes from the npm
# registry into .node/ (no other download source is needed).
node_major=$(cat frontend/.nvmrc)
if [ "$(node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/')" != "$node_major" ]; then
  [ -x .node/node_modules/.bin/node ] \
    || npm install --prefix .node --no-audit --no-fund --loglevel=error "node@$node_major"
  export PATH="$PWD/.node/node_modules/.bin:$PATH"
fi
