#!/usr/bin/env bash
# The CLI demo, from nothing: builds a state holding the seeds' examples with the `tessera`
# CLI, mints tokens, builds and signs the bundle, and has the CLI decide a list of requests.
# Usage: TESSERA=path/to/tessera examples/cli-demo.sh WORKDIR
# Writes WORKDIR/state/ (the state), WORKDIR/bundle.json(.sig), WORKDIR/bundle-signing.jwk.json
# and WORKDIR/cases.jsonl (one line per request: the token, the request and the CLI's JSON
# answer), which examples/cli-demo-wasm.mjs decides again in WebAssembly.
set -euo pipefail
T="${TESSERA:?set TESSERA to the tessera binary}"
WORK="${1:?usage: cli-demo.sh WORKDIR}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
rm -rf "$WORK"
mkdir -p "$WORK"
export TESSERA_STATE="$WORK/state"

# Shows a command as a user would type it (long tokens by their variable's name), then runs it
# quietly; its stdout is returned.
tessera() {
    local shown="$*"
    for v in ROBOT NEW_ROBOT LEAD DEPLOY ALICE NIGHTLY RUNNER; do
        [[ -n "${!v:-}" ]] && shown="${shown//${!v}/\$$v}"
    done
    printf '  $ tessera %s\n' "$shown" >&2
    "$T" "$@" 2>/dev/null
}
json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{let v=JSON.parse(s);for(const k of process.argv[1].split("."))v=v[k];console.log(v)})' "$1"; }

echo "1. Building a state from nothing (in $WORK/state):" >&2
tessera init >/dev/null
# The OpenShift seed: project top-secret with robot, view for robot, view for every service
# account, edit for the managers' accounts (which, in tessera, applies in managers only).
tessera new-project top-secret >/dev/null
tessera new-project managers >/dev/null
tessera new-project other >/dev/null
ROBOT="$(tessera create serviceaccount robot -n top-secret)"
tessera policy add-role-to-user view system:serviceaccount:top-secret:robot -n top-secret >/dev/null
tessera policy add-role-to-group view system:serviceaccounts -n top-secret >/dev/null
tessera policy add-role-to-group edit system:serviceaccounts:managers -n top-secret >/dev/null
tessera policy add-role-to-group edit system:serviceaccounts:managers -n managers >/dev/null
LEAD="$(tessera create serviceaccount lead -n managers)"
# The Pomerium seed: a namespace tree, a unique and an impersonating account (with an expiry),
# an account that has expired, a bound token in ci, and a route with a PPL policy.
tessera create namespace engineering --parent global >/dev/null
tessera create namespace ci --parent engineering >/dev/null
tessera create namespace sales --parent global >/dev/null
tessera create user alice --email alice@example.com --group admins --group engineering >/dev/null
DEPLOY="$(tessera create serviceaccount deploy-bot -n engineering --id deploy-bot@engineering --token-format pomerium)"
ALICE="$(tessera create serviceaccount alice-automation -n engineering --impersonate alice --expires 90d --token-format pomerium)"
NIGHTLY="$(tessera create serviceaccount nightly -n engineering --expires 2025-06-01T00:00:00Z --token-format pomerium)"
tessera create serviceaccount runner -n ci >/dev/null
RUNNER="$(tessera create token runner -n ci --duration 1h --bound-object-kind Pod --bound-object-name runner-7d9f --bound-object-uid 0f5c2d1e-0000-4000-8000-000000000001)"
tessera create route engineering-api -n engineering --from https://api.example.com --prefix /engineering --policy "$HERE/cli-demo/engineering-api.yaml" >/dev/null
# A revoked token: robot's secret is deleted; the CLI issues a new one (OpenShift behaviour).
SECRET="$(tessera describe serviceaccount robot -n top-secret -o json | json tokens.0)"
NEW_ROBOT="$(tessera delete secret "$SECRET" -n top-secret)"
tessera bundle build -o "$WORK/bundle.json" >/dev/null
echo "   signed bundle: $WORK/bundle.json (+ .sig, and bundle-signing.jwk.json to pin)" >&2

: >"$WORK/cases.jsonl"
n=0
# case NAME TOKEN KIND ARGS...: asks the CLI (-o json) and records the question and its answer.
case_() {
    local name="$1" token="$2" kind="$3"
    shift 3
    local out request
    case "$kind" in
    rbac)
        # ARGS: VERB RESOURCE NAMESPACE, RESOURCE as the engine's can() takes it (pods/log: a
        # subresource); the CLI takes a subresource as kubectl does (--subresource).
        local sub=()
        local resource="$2"
        if [[ "$resource" == */* ]]; then
            sub=(--subresource "${resource#*/}")
            resource="${resource%%/*}"
        fi
        out="$("$T" auth can-i "$1" "$resource" "${sub[@]}" -n "$3" --token "$token" -o json 2>/dev/null)" || true
        request="{\"kind\":\"rbac\",\"verb\":\"$1\",\"resource\":\"$2\",\"namespace\":\"$3\"}"
        ;;
    http)
        # ARGS: METHOD URL
        if [[ -n "$token" ]]; then
            out="$("$T" check --token "$token" "$1" "$2" -o json 2>/dev/null)" || true
        else
            out="$("$T" check "$1" "$2" -o json 2>/dev/null)" || true
        fi
        request="{\"kind\":\"http\",\"method\":\"$1\",\"url\":\"$2\"}"
        ;;
    whoami)
        out="$("$T" whoami --token "$token" -o json 2>/dev/null)" || true
        request='{"kind":"whoami"}'
        ;;
    esac
    [[ -n "$out" ]] || { echo "cli-demo: no answer for: $name" >&2; exit 1; }
    printf '{"name":"%s","token":"%s","request":%s,"native":%s}\n' \
        "$name" "$token" "$request" "$(tr -d '\n' <<<"$out")" >>"$WORK/cases.jsonl"
    n=$((n + 1))
}

case_ "whoami robot (the re-issued legacy token)" "$NEW_ROBOT" whoami
case_ "robot may get pods in top-secret (view)" "$NEW_ROBOT" rbac get pods top-secret
case_ "robot may not delete pods in top-secret" "$NEW_ROBOT" rbac delete pods top-secret
case_ "robot may not get pods in other" "$NEW_ROBOT" rbac get pods other
case_ "robot may read pods/log in top-secret" "$NEW_ROBOT" rbac get pods/log top-secret
case_ "robot's old token is revoked (secret deleted)" "$ROBOT" rbac get pods top-secret
case_ "whoami robot's old token: refused" "$ROBOT" whoami
case_ "lead may delete pods in managers (edit)" "$LEAD" rbac delete pods managers
case_ "lead may not delete pods in top-secret (namespace rule)" "$LEAD" rbac delete pods top-secret
case_ "lead may not scale deployments in other" "$LEAD" rbac update deployments.apps/scale other
case_ "whoami alice-automation: acts as alice" "$ALICE" whoami
case_ "deploy-bot may GET the engineering API" "$DEPLOY" http GET https://api.example.com/engineering/builds
case_ "deploy-bot may not DELETE on it (not an admin)" "$DEPLOY" http DELETE https://api.example.com/engineering/builds/7
case_ "alice-automation may DELETE (admins)" "$ALICE" http DELETE https://api.example.com/engineering/builds/7
case_ "nightly has expired: refused" "$NIGHTLY" http GET https://api.example.com/engineering/builds
case_ "runner (ci, bound to a pod) is not engineering's" "$RUNNER" http GET https://api.example.com/engineering/builds
case_ "no token on the API: 401" "" http GET https://api.example.com/engineering/builds
case_ "no route for this host: 404" "$DEPLOY" http GET https://shop.example.com/

echo "2. The CLI decided $n requests: $WORK/cases.jsonl" >&2
