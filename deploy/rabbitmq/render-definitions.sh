#!/usr/bin/env bash
# Writes a copy of definitions.json with the users' passwords filled in, for RabbitMQ to load at
# boot (`load_definitions`). The committed definitions.json has no passwords on purpose: loaded
# as it is, its users cannot sign in with a password.
#
#   render-definitions.sh definitions.json /etc/rabbitmq/definitions.json
#
# Passwords come from the environment; use letters, digits and . _ ~ - only (they also go into
# AMQP URLs unencoded), e.g. `openssl rand -hex 24`:
#   RABBITMQ_KOTOPOLKU_PASSWORD   user kotopolku           (the Kotopolku services)
#   RABBITMQ_PASSWORD_PRODUCER_<NAME>  each producing system's user `producer-<name>` (kotopolku.inbound
#                                 only), e.g. RABBITMQ_PASSWORD_PRODUCER_HAMEENLINNA_REGISTER for
#                                 producer-hameenlinna-register (upper case, - as _)
#   RABBITMQ_PASSWORD_CONSUMER_<NAME>  each subscribing system's user `consumer-<name>` (its own queue
#                                 only), e.g. RABBITMQ_PASSWORD_CONSUMER_EMPLOYMENT_AUTHORITY
#   RABBITMQ_ADMIN_PASSWORD       user kotopolku-admin     (operators; management UI)
set -euo pipefail

template=${1:?usage: render-definitions.sh TEMPLATE OUTPUT}
output=${2:?usage: render-definitions.sh TEMPLATE OUTPUT}

password() {
    local variable=$1 value
    value=${!variable:-}
    if [ -z "$value" ]; then
        echo "render-definitions: $variable is not set" >&2
        exit 1
    fi
    case "$value" in
        *[!A-Za-z0-9._~-]*)
            echo "render-definitions: $variable may contain only letters, digits and . _ ~ -" >&2
            exit 1
            ;;
    esac
    printf '%s' "$value"
}

services=$(password RABBITMQ_KOTOPOLKU_PASSWORD)
admin=$(password RABBITMQ_ADMIN_PASSWORD)

# One user per producing system (`producer-…`): Kotopolku accepts a system's events only when
# they carry its user as AMQP user_id (kotopolku sources add … --broker-user producer-…).
expressions=(
    -e "s|\"name\": \"kotopolku\",|\"name\": \"kotopolku\", \"password\": \"$services\",|"
    -e "s|\"name\": \"kotopolku-admin\",|\"name\": \"kotopolku-admin\", \"password\": \"$admin\",|"
)
# One user per subscribing system (`consumer-…`): it reads its own queue and nothing else.
systems=$(grep -o '"name": "\(producer\|consumer\)-[A-Za-z0-9-]*",' "$template" | sed -e 's/"name": "//' -e 's/",$//' || true)
for user in $systems; do
    variable=RABBITMQ_PASSWORD_$(printf '%s' "$user" | tr 'a-z-' 'A-Z_')
    expressions+=(-e "s|\"name\": \"$user\",|\"name\": \"$user\", \"password\": \"$(password "$variable")\",|")
done
expected=$((2 + $(printf '%s' "$systems" | grep -c . || true)))

umask 077
sed "${expressions[@]}" "$template" > "$output.tmp"

if [ "$(grep -c '"password": ' "$output.tmp")" != "$expected" ]; then
    echo "render-definitions: expected $expected users in $template" >&2
    rm -f "$output.tmp"
    exit 1
fi
if [ "$(id -u)" = 0 ] && id rabbitmq >/dev/null 2>&1; then
    chown rabbitmq:rabbitmq "$output.tmp"
fi
mv "$output.tmp" "$output"
