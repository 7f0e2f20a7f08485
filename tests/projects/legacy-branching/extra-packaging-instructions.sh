#!/bin/sh
# Writes a module into the package, as Cloudify builders' hooks do.
set -e
printf 'TARGETS = "%s"\n' "$PLUGIN_PACKAGER_TARGET_IDS" > branching_plugin/generated.py
