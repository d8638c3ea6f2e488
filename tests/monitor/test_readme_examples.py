"""The README's YAML examples that are configs load, against the shipped definitions: an example
naming an indicator that does not exist (or a key or value the config rejects) fails here, not for
a reader. A block showing one section (``alerts:``) is loaded inside a config that has what the
section refers to (a ``digest.smtp`` for the email channel), as a reader would use it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from monitor.analysis import Definitions
from monitor.config.model import Config, load_config
from tests.helpers import REPO_ROOT

DEFINITION_KEYS = {"vocabularies", "negation", "indicators"}
# What another section may refer to; a block that has its own keeps it.
CONTEXT: dict[str, Any] = {
    "digest": {"smtp": {"host": "smtp.example.org", "from": "m@example.org", "to": ["a@example.org"]}}
}


def yaml_blocks(markdown: str) -> list[str]:
    return re.findall(r"^```yaml\n(.*?)^```", markdown, flags=re.S | re.M)


def in_context(data: dict[str, Any]) -> dict[str, Any]:
    merged = dict(data)
    for key, section in CONTEXT.items():
        own = merged.get(key) or {}
        merged[key] = {**section, **own}
    return merged


def test_readme_config_examples_load_with_the_shipped_definitions(tmp_path: Path) -> None:
    config_keys = set(Config.model_fields) | {
        field.alias for field in Config.model_fields.values() if field.alias
    }
    configs = []
    for block in yaml_blocks((REPO_ROOT / "README.md").read_text(encoding="utf-8")):
        data = yaml.safe_load(block) or {}
        keys = set(data)
        if keys <= config_keys and not keys & DEFINITION_KEYS:
            configs.append(data)
        else:  # the definitions format, shown with "…" for what it leaves out
            assert keys & DEFINITION_KEYS, f"a README yaml block is neither config nor definitions: {keys}"
    assert configs, "the README shows no config example"
    for number, data in enumerate(configs):
        folder = tmp_path / str(number)
        folder.mkdir()
        path = folder / "monitor.yaml"
        path.write_text(yaml.safe_dump(in_context(data), allow_unicode=True), encoding="utf-8")
        for name in data.get("definitions") or ():
            (folder / name).write_text("vocabularies: {}\n", encoding="utf-8")  # the reader's own file
        config = load_config(path)
        scenarios = Definitions.from_config(config).scenarios  # unknown indicator ids fail here
        for scenario_id, override in config.scenarios.items():
            assert set(override.weights) <= set(scenarios.scenarios[scenario_id].weights)
