"""The hyperparameters of a model are stated twice: config/model/<name>.yaml (what a run records and
overrides) and the template's PRESETS (what the library, ``gnnlift verify`` and ``gnnlift compress``
use). The two must say the same for every model."""

from __future__ import annotations

import dataclasses

import pytest
import yaml

from gnnlift.paths import CONFIG_DIR
from gnnlift.templates import MODELS, model_config

# Fields of a template's config that do not apply to a model, so its YAML leaves them out.
NOT_APPLICABLE = {"gnn_embed": {"path_scale"}}


def test_every_model_has_a_config_file_and_every_config_file_a_model():
    assert sorted(p.stem for p in (CONFIG_DIR / "model").glob("*.yaml")) == sorted(MODELS)


@pytest.mark.parametrize("model", MODELS)
def test_config_file_and_preset_agree(model):
    stated = yaml.safe_load((CONFIG_DIR / "model" / f"{model}.yaml").read_text())
    assert stated.pop("name") == model
    preset = model_config(model)
    fields = {f.name for f in dataclasses.fields(preset)} - {"kind"}
    assert preset.kind == model
    assert set(stated) == fields - NOT_APPLICABLE.get(model, set()), "a field missing from one of the two"
    for key, value in stated.items():
        expected = getattr(preset, key)
        message = f"{model}.{key}: yaml {value!r}, preset {expected!r}"
        assert value == expected and type(value) is type(expected), message
    assert model_config(model, **stated) == preset
