from cloudify.decorators import operation


@operation
def start(ctx, **kwargs):
    ctx.instance.runtime_properties["started"] = True
