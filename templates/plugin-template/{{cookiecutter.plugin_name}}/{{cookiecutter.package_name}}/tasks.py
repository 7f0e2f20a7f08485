"""Lifecycle operations of {{ cookiecutter.plugin_name }}, mapped in plugin_1_5.yaml.

Each operation reads the node's properties and records what it did in the node instance's runtime
properties. Raise NonRecoverableError for what a retry cannot fix; any other error is retried.
"""

from cloudify.decorators import operation
from cloudify.exceptions import NonRecoverableError

DEFAULT_ENDPOINT = "https://api.example.com"
RUNTIME_KEYS = ("resource_id", "size", "tags", "url", "state")


def _resource_config(ctx):
    config = ctx.node.properties.get("resource_config") or {}
    size = config.get("size", 1)
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise NonRecoverableError(f"resource_config.size must be a whole number >= 1, got {size!r}")
    return config.get("name") or ctx.instance.id, size


def _endpoint(ctx):
    """The plugin property `endpoint` (DSL 1.5); older managers pass no plugin properties."""
    endpoint = (ctx.plugin.properties or {}).get("endpoint")
    if isinstance(endpoint, dict):
        endpoint = endpoint.get("value")
    return (endpoint or DEFAULT_ENDPOINT).rstrip("/")


@operation(resumable=True)
def create(ctx, tags=None, **kwargs):
    """Create the resource described by the `resource_config` property."""
    name, size = _resource_config(ctx)
    runtime = ctx.instance.runtime_properties
    runtime["resource_id"] = name
    runtime["size"] = size
    runtime["tags"] = list(tags or [])
    runtime["url"] = f"{_endpoint(ctx)}/resources/{name}"
    runtime["state"] = "created"
    ctx.logger.info("created %s (size %d)", name, size)


@operation(resumable=True)
def start(ctx, **kwargs):
    """Start the resource create made."""
    runtime = ctx.instance.runtime_properties
    if "resource_id" not in runtime:
        raise NonRecoverableError("start ran before create: this instance has no resource_id")
    runtime["state"] = "started"
    ctx.logger.info("started %s", runtime["resource_id"])


@operation(resumable=True)
def stop(ctx, **kwargs):
    """Stop the resource; stopping one that was never created does nothing."""
    runtime = ctx.instance.runtime_properties
    if "resource_id" in runtime:
        runtime["state"] = "stopped"
        ctx.logger.info("stopped %s", runtime["resource_id"])


@operation(resumable=True)
def delete(ctx, **kwargs):
    """Delete the resource and forget what create recorded."""
    runtime = ctx.instance.runtime_properties
    name = runtime.get("resource_id")
    for key in RUNTIME_KEYS:
        runtime.pop(key, None)
    if name:
        ctx.logger.info("deleted %s", name)
