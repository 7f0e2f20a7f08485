"""Every operation in plugin_1_5.yaml is <plugin key>.<module>.<function> of this package."""

import importlib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PLUGIN_YAML = yaml.safe_load((ROOT / "plugin_1_5.yaml").read_text(encoding="utf-8"))


def operations():
    for type_name, node_type in PLUGIN_YAML.get("node_types", {}).items():
        for interface in node_type.get("interfaces", {}).values():
            for name, operation in interface.items():
                mapping = operation["implementation"] if isinstance(operation, dict) else operation
                yield pytest.param(mapping, id=f"{type_name}.{name}")


@pytest.mark.parametrize("mapping", list(operations()))
def test_operation_maps_to_a_function_of_this_plugin(mapping):
    key, path = mapping.split(".", 1)
    module_name, function = path.rsplit(".", 1)
    assert key in PLUGIN_YAML["plugins"]
    module = importlib.import_module(module_name)
    assert Path(module.__file__).resolve().is_relative_to(ROOT)
    assert callable(getattr(module, function))
