#!/usr/bin/env bash
# The container's entrypoint (deploy/Dockerfile, docs/deployment.md).
#
#   cairn-entrypoint.sh serve [options]   runs a node (the image's default command); any other
#                                         command (migrate, token, ...) goes to the node likewise
#   cairn-entrypoint.sh healthcheck       the image's health check: exit 0 when /health/alive is 200
#
# The node gets the container's JVM flags, then CAIRN_JAVA_OPTS, so an operator's flag wins. The
# script execs java: SIGTERM from the container runtime reaches the JVM, whose shutdown hook runs
# Cairn's coordinated shutdown (drain, hand shards off, leave the cluster).
set -euo pipefail

jar="${CAIRN_JAR:-/opt/cairn/cairn-node.jar}"

# The JVM sizes itself from the container's cgroup limits: the heap takes three quarters of the
# memory limit (and cairn.entity.active-limit, when auto, follows the heap); the rest is for
# metaspace, threads, Artery's and HTTP's buffers. A node out of heap exits, to be restarted,
# rather than limp on.
container_java_opts=(-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError)
# The parallel collector unless CAIRN_JAVA_OPTS names one, as bin/cairn does (docs/performance.md,
# "the garbage collector").
collector=(-XX:+UseParallelGC)
for option in ${CAIRN_JAVA_OPTS:-}; do
  [[ $option == -XX:+Use*GC ]] && collector=()
done

# Asks the node's own front door over loopback. The image has no curl: bash's /dev/tcp sends the
# request. Bash cannot speak TLS, so with CAIRN_TLS_* set (HTTPS) it checks only that the port
# accepts connections.
healthcheck() {
  local host="${CAIRN_HTTP_HOST:-127.0.0.1}" port="${CAIRN_HTTP_PORT:-8080}" status=""
  if [[ $host == 0.0.0.0 || $host == "::" ]]; then
    host=127.0.0.1
  fi
  if [[ -n "${CAIRN_TLS_CERT:-}${CAIRN_TLS_KEYSTORE:-}" ]]; then
    : 3<>"/dev/tcp/$host/$port"
    return
  fi
  {
    printf 'GET /health/alive HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$host" >&3 &&
      IFS= read -r -t 5 status <&3
  } 3<>"/dev/tcp/$host/$port" || return 1
  if [[ $status != "HTTP/1."?" 200 "* ]]; then
    echo "healthcheck: /health/alive answered: ${status%$'\r'}" >&2
    return 1
  fi
}

if [[ "${1:-}" == healthcheck ]]; then
  healthcheck
  exit
fi

exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" "${container_java_opts[@]}" "${collector[@]}" ${CAIRN_JAVA_OPTS:-} \
  -jar "$jar" "$@"
