#!/usr/bin/env bash
# Checks the deployment files without a Docker engine:
#  1. docker-compose.yml (and its `scaled` profile) validates with docker-compose;
#  2. every COPY source of the Dockerfile exists;
#  3. the Dockerfile's build steps, run here in a scratch copy of the repository, produce a
#     deployable server that starts against Postgres, serves the web app and passes its health check.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "-- docker-compose.yml"
printf 'POSTGRES_PASSWORD=check\nJWT_SECRET=check-secret-check-secret-check-secret-00\n' > "$work/.env"
docker-compose --env-file "$work/.env" -f docker-compose.yml config -q
docker-compose --env-file "$work/.env" -f docker-compose.yml --profile scaled config -q
services=$(docker-compose --env-file "$work/.env" -f docker-compose.yml --profile scaled config --services | sort | tr '\n' ' ')
[ "$services" = "db proxy server server-2 " ] || { echo "unexpected services: $services"; exit 1; }

echo "-- Dockerfile COPY sources"
grep -E '^COPY ' Dockerfile | grep -v -- '--from=' | while read -r _ rest; do
  set -- $rest
  while [ $# -gt 1 ]; do
    [ -e "$1" ] || { echo "Dockerfile copies $1, which does not exist"; exit 1; }
    shift
  done
done

echo "-- Dockerfile build steps in a scratch copy"
mkdir -p "$work/src"
git ls-files -z | tar --null --exclude-from=<(sed 's#^\*\*/##' .dockerignore) -T - -cf - | tar -xf - -C "$work/src"
cd "$work/src"
pnpm install --frozen-lockfile --silent
pnpm --filter @bellhop/protocol --filter @bellhop/server --filter @bellhop/web build >/dev/null
pnpm --filter @bellhop/server deploy --prod "$work/out" --silent
cp -r apps/web/dist "$work/out/public"
du -sh "$work/out" | sed 's/^/deployed size: /'

db_url="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
check_db="bellhop_deploy_check_$$"
psql "$db_url" -qc "CREATE DATABASE $check_db" >/dev/null
port=$(node -e "const s=require('net').createServer().listen(0,()=>{console.log(s.address().port);s.close()})")
(
  cd "$work/out"
  NODE_ENV=production PORT="$port" DATA_DIR="$work/data" WEB_DIST_DIR="$work/out/public" \
  DATABASE_URL="${db_url%/*}/$check_db" JWT_SECRET=check-secret-check-secret-check-secret-00 \
  ADMIN_USERNAME=admin ADMIN_PASSWORD=check-password LOG_LEVEL=warn exec node dist/main.js
) &
server_pid=$!
ok=""
for _ in $(seq 1 60); do
  if node -e "fetch('http://127.0.0.1:$port/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"; then ok=1; break; fi
  sleep 0.5
done
[ -n "$ok" ] || { echo "deployed server did not become ready"; exit 1; }
curl -fsS "http://127.0.0.1:$port/" | grep -qi '<div id="root"' || { echo "deployed server does not serve the web app"; exit 1; }
curl -fsS "http://127.0.0.1:$port/staff/stays" | grep -qi '<div id="root"' || { echo "client routes do not answer with the app"; exit 1; }
kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=""
psql "$db_url" -qc "DROP DATABASE $check_db WITH (FORCE)" >/dev/null
echo "deployment checks passed"
