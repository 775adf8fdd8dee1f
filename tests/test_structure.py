"""The layout as written down matches the tree: every package the wheel ships is in the
README's layout table and copied into the production image."""

import tomllib

from core.settings import PROJECT_ROOT

PACKAGES = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"][
    "targets"
]["wheel"]["packages"]


def test_every_package_is_in_the_readme_layout_table() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert [p for p in PACKAGES if f"| `{p}/` |" not in readme] == []


def test_the_production_image_copies_every_package() -> None:
    dockerfile = (PROJECT_ROOT / "docker" / "api.Dockerfile").read_text()
    assert [p for p in PACKAGES if f"COPY {p}/ {p}/" not in dockerfile] == []


def test_every_top_level_package_is_shipped() -> None:
    found = {
        path.parent.name
        for path in PROJECT_ROOT.glob("*/__init__.py")
        if path.parent.name not in {"tests", "benchmarks", "testkit"}
    }
    assert found == set(PACKAGES)
