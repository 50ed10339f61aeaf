#!/bin/sh
# /usr/bin/pumpwatch-gateway: the installed gateway, e.g. `pumpwatch-gateway --print-config`.
# With no --config it reads the hub's config, as the service does.
case " $* " in
  *" --config "*|*" --config="*|*" --help "*) exec /usr/bin/node /usr/lib/pumpwatch-gateway/dist/main.js "$@" ;;
  *) exec /usr/bin/node /usr/lib/pumpwatch-gateway/dist/main.js --config /etc/pumpwatch/gateway.yaml "$@" ;;
esac
