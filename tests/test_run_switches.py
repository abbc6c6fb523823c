"""One switch per idea: the variant says whether a run lifts; ``lifting=on|off`` is NeuraLogic's."""

from __future__ import annotations

import json

import pytest
from hydra import compose, initialize_config_dir

from gnnlift.data.load import prepare
from gnnlift.paths import CONFIG_DIR
from gnnlift.run.app import run
from gnnlift.run.guard import precheck, validate
from gnnlift.run.switches import backend_of, lifts, settled, variant_label, variant_name


def composed(*overrides: str):
    with initialize_config_dir(version_base="1.3", config_dir=str(CONFIG_DIR)):
        return compose("run", overrides=list(overrides))


@pytest.mark.parametrize(
    ("overrides", "enabled", "name", "label", "backend"),
    [
        (["variant=plain"], False, "plain", "plain", "torch"),
        (["variant=plain", "lifting=off"], False, "plain", "plain", "torch"),
        (["variant=plain", "backend=native"], False, "plain", "plain-native", "native"),
        (["variant=lifted"], True, "lifted", "lifted", "torch"),
        (
            ["variant=lifted", "backend=native", "lifting.scope=dataset"],
            True,
            "lifted",
            "lifted-dataset-native",
            "native",
        ),
        (["variant=pyg"], False, "pyg", "pyg", None),
        (["variant=dgl", "lifting=off"], False, "dgl", "dgl", None),
        (["variant=neuralogic"], True, "neuralogic", "neuralogic", None),
        (["variant=neuralogic", "lifting=off"], False, "neuralogic-off", "neuralogic-off", None),
    ],
)
def test_the_variant_says_whether_a_run_lifts(overrides, enabled, name, label, backend):
    cfg = composed(*overrides)
    validate(cfg)
    assert lifts(cfg) is enabled
    done = settled(cfg)
    assert done.lifting.enabled is enabled and lifts(done) is enabled
    assert (variant_name(done), variant_label(done), backend_of(done)) == (name, label, backend)
    assert cfg.lifting.enabled == ("lifting=off" not in overrides)  # the copy changed, not the given config


def test_lifted_with_lifting_off_is_refused_before_the_run():
    with pytest.raises(ValueError, match="variant=lifted with lifting=off is variant=plain"):
        validate(composed("variant=lifted", "lifting=off"))
    assert precheck(["variant=lifted", "lifting=off"]).startswith("variant=lifted with lifting=off is variant=plain")
    assert precheck(["variant=pyg", "backend=native"]) == "backend=native runs variant plain or lifted, not pyg"


def test_a_plain_run_records_lifting_as_not_enabled(mirror, tmp_path):
    prepare("mutag", resources=tmp_path / "r", mirror=mirror)
    common = ["dataset=mutag", f"resources={tmp_path / 'r'}", "quiet=true", "epochs=2"]
    for variant, enabled in (("plain", False), ("lifted", True)):
        run(composed(*common, f"variant={variant}"), tmp_path / variant)
        metrics = json.loads((tmp_path / variant / "metrics.json").read_text())
        assert metrics["config"]["lifting"]["enabled"] is enabled
        assert (metrics["lifting"] is not None) is enabled
