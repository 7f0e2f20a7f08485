"""The operations run under cloudify-common's MockCloudifyContext, called as an agent calls them."""

import pytest
from cloudify.exceptions import NonRecoverableError
from cloudify.mocks import MockCloudifyContext

from {{ cookiecutter.package_name }} import tasks


def make_ctx(resource_config=None, runtime_properties=None):
    config = {"name": "demo", "size": 2} if resource_config is None else resource_config
    return MockCloudifyContext(
        node_id="resource_a1b2c3",
        node_name="resource",
        properties={"resource_config": config},
        runtime_properties=runtime_properties,
    )


def test_create_records_the_resource_in_runtime_properties():
    ctx = make_ctx()
    tasks.create(ctx=ctx, tags=["blue"])
    assert ctx.instance.runtime_properties == {
        "resource_id": "demo",
        "size": 2,
        "tags": ["blue"],
        "url": "https://api.example.com/resources/demo",
        "state": "created",
    }


def test_create_names_an_unnamed_resource_after_its_instance():
    ctx = make_ctx(resource_config={})
    tasks.create(ctx=ctx)
    assert ctx.instance.runtime_properties["resource_id"] == "resource_a1b2c3"
    assert ctx.instance.runtime_properties["size"] == 1


def test_create_uses_the_endpoint_plugin_property():
    ctx = make_ctx()
    # A manager fills the plugin context; the mock has no argument for it.
    ctx.plugin._plugin_context = {"properties": {"endpoint": {"value": "https://eu.example.com/"}}}
    tasks.create(ctx=ctx)
    assert ctx.instance.runtime_properties["url"] == "https://eu.example.com/resources/demo"


@pytest.mark.parametrize("size", [0, -3, "2", True])
def test_create_refuses_a_bad_size_without_retrying(size):
    ctx = make_ctx(resource_config={"name": "demo", "size": size})
    with pytest.raises(NonRecoverableError, match="size must be a whole number"):
        tasks.create(ctx=ctx)
    assert ctx.instance.runtime_properties == {}


def test_start_stop_delete_follow_create():
    ctx = make_ctx()
    tasks.create(ctx=ctx)
    tasks.start(ctx=ctx)
    assert ctx.instance.runtime_properties["state"] == "started"
    tasks.stop(ctx=ctx)
    assert ctx.instance.runtime_properties["state"] == "stopped"
    tasks.delete(ctx=ctx)
    assert ctx.instance.runtime_properties == {}


def test_start_before_create_is_not_retried():
    with pytest.raises(NonRecoverableError, match="start ran before create"):
        tasks.start(ctx=make_ctx())


def test_stop_and_delete_of_a_resource_never_created_do_nothing():
    ctx = make_ctx()
    tasks.stop(ctx=ctx)
    tasks.delete(ctx=ctx)
    assert ctx.instance.runtime_properties == {}
