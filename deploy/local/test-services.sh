#!/usr/bin/env bash
# Prints `export` lines pointing the test suite at the RabbitMQ and PostgreSQL running on this
# machine, unless the variables are already set. With neither, the tests use testcontainers
# (a Docker engine) or fail saying how to start the services.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if [[ -z ${KOTOPOLKU_TEST_AMQP_URL:-} ]] && port_open 5672; then
  echo "export KOTOPOLKU_TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:5672/"
fi
if [[ -z ${KOTOPOLKU_TEST_POSTGRES_URL:-} ]] && port_open 5432; then
  echo "export KOTOPOLKU_TEST_POSTGRES_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
fi
