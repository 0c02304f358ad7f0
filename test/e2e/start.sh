#!/usr/bin/env bash
# `npm start`: the e2e environment without the scenarios — VS Code (code-server) on loopback with the
# extension installed, the examples in a temporary workspace and a loopback fake model; prints the URL.
exec bash "$(dirname "$0")/run.sh" --serve
