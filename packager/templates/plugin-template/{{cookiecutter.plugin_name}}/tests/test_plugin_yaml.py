"""Every operation in plugin_1_5.yaml is <plugin key>.<module>.<function> of this package."""

import importlib
from pathlib import Path

import pytest
import yaml

PLUGIN_YAML = yaml.safe_load(
    (Path(__file__).resolve().parents[1] / "plugin_1_5.yaml").read_text(encoding="utf-8")
)


def operations():
    for type_name, node_type in PLUGIN_YAML.get("node_types", {}).items():
        for interface in node_type.get("interfaces", {}).values():
            for name, operation in interface.items():
                mapping = operation["implementation"] if isinstance(operation, dict) else operation
                yield pytest.param(mapping, id=f"{type_name}.{name}")


@pytest.mark.parametrize("mapping", list(operations()))
def test_operation_maps_to_a_function_of_this_plugin(mapping):
    key, path = mapping.split(".", 1)
    module, function = path.rsplit(".", 1)
    assert key in PLUGIN_YAML["plugins"]
    assert module.split(".")[0] == "{{ cookiecutter.package_name }}"
    assert callable(getattr(importlib.import_module(module), function))
