#!/usr/bin/env bash
# Makes sure a RabbitMQ broker answers on 127.0.0.1:5672: starts the local one if it is installed,
# installs Debian's rabbitmq-server when missing and running as root, otherwise says how.
set -euo pipefail
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if port_open 5672; then exit 0; fi
if ! command -v rabbitmq-server >/dev/null 2>&1; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing RabbitMQ (Debian package rabbitmq-server)..."
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null
  else
    echo "RabbitMQ is not running and not installed. Install it with 'sudo apt-get install rabbitmq-server'" >&2
    echo "(or point KOTOPOLKU_AMQP_URL at a broker) and run this again." >&2
    exit 1
  fi
fi
echo "Starting RabbitMQ..."
if [[ $(id -u) -eq 0 ]]; then
  rabbitmq-server -detached || true
else
  sudo -n rabbitmq-server -detached 2>/dev/null || rabbitmq-server -detached || {
    echo "Could not start RabbitMQ: run 'sudo rabbitmq-server -detached' (or 'sudo systemctl start rabbitmq-server')." >&2
    exit 1
  }
fi
for _ in $(seq 1 120); do
  port_open 5672 && exit 0
  sleep 1
done
echo "RabbitMQ did not come up on 127.0.0.1:5672 within two minutes; see /var/log/rabbitmq/." >&2
exit 1
