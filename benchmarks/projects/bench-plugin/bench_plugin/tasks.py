from cloudify.decorators import operation


@operation
def run(ctx, command, **kwargs):
    from fabric2 import Connection

    host = ctx.instance.runtime_properties["ip"]
    with Connection(host) as connection:
        ctx.instance.runtime_properties["output"] = connection.run(command, hide=True).stdout
