"""The README's YAML examples that are configs load, against the shipped definitions: an example
naming an indicator that does not exist (or a key the config rejects) fails here, not for a reader."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from monitor.analysis import Definitions
from monitor.config.model import Config, load_config
from tests.helpers import REPO_ROOT

DEFINITION_KEYS = {"vocabularies", "negation", "indicators"}


def yaml_blocks(markdown: str) -> list[str]:
    return re.findall(r"^```yaml\n(.*?)^```", markdown, flags=re.S | re.M)


def test_readme_config_examples_load_with_the_shipped_definitions(tmp_path: Path) -> None:
    config_keys = set(Config.model_fields)
    configs = []
    for block in yaml_blocks((REPO_ROOT / "README.md").read_text(encoding="utf-8")):
        keys = set(yaml.safe_load(block) or {})
        if keys <= config_keys and not keys & DEFINITION_KEYS:
            configs.append(block)
        else:  # the definitions format, shown with "…" for what it leaves out
            assert keys & DEFINITION_KEYS, f"a README yaml block is neither config nor definitions: {keys}"
    assert configs, "the README shows no config example"
    for number, block in enumerate(configs):
        folder = tmp_path / str(number)
        folder.mkdir()
        path = folder / "monitor.yaml"
        path.write_text(block, encoding="utf-8")
        for name in yaml.safe_load(block).get("definitions") or ():
            (folder / name).write_text("vocabularies: {}\n", encoding="utf-8")  # the reader's own file
        config = load_config(path)
        scenarios = Definitions.from_config(config).scenarios  # unknown indicator ids fail here
        for scenario_id, override in config.scenarios.items():
            assert set(override.weights) <= set(scenarios.scenarios[scenario_id].weights)
