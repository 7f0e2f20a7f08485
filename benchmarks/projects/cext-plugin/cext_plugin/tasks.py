"""The plugin `benchmarks/bench_build.py` builds in its C-extension scenario: it needs pycryptodome's
compiled modules at run time, so a wagon without them fails its operations check."""
from cloudify.decorators import operation


@operation
def create_key(ctx, bits=2048, **kwargs):
    from Crypto.PublicKey import RSA

    key = RSA.generate(bits)
    ctx.instance.runtime_properties["public_key"] = key.publickey().export_key().decode()
