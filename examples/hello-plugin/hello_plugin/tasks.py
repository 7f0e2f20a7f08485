"""Operations of hello-plugin; `ctx` comes from the agent that runs them."""

import yaml
from cloudify.decorators import operation


@operation
def greet(ctx, **kwargs):
    """Read `name` from the node's properties and store the greeting as a runtime property."""
    name = ctx.node.properties.get("name", "world")
    greeting = f"Hello, {name}!"
    ctx.instance.runtime_properties["greeting"] = greeting
    ctx.instance.runtime_properties["greeting_yaml"] = yaml.safe_dump({"greeting": greeting})
    ctx.logger.info(greeting)
    return greeting
