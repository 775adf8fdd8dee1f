"""`crimegraph transparency`: write the algorithmic transparency record (UK ATRS)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from core.settings import PROJECT_ROOT, load_settings
from crimegraph.cli.common import app, console, fail


@app.command("transparency")
def transparency(
    out: Annotated[
        Path, typer.Option("--out", help="The Markdown record; the JSON is written beside it.")
    ] = PROJECT_ROOT / "docs" / "transparency-record.md",
    bench_dir: Annotated[
        Path | None,
        typer.Option(
            "--bench-dir", help="Benchmark figures (default: var/bench).", show_default=False
        ),
    ] = None,
    owner: Annotated[
        Path | None,
        typer.Option(
            "--owner",
            help="Who runs it, agreements, assessments (default: "
            "crimegraph/transparency/owner.yaml).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write the transparency record in the UK Algorithmic Transparency Recording Standard's
    format (Tier 1 and Tier 2), read from what is configured and running: the sources and
    their fields in the warehouse, the retention policy, the stored Splink models, the risk
    and forecast models, the GDS algorithms, the API's roles and the benchmark figures."""
    from crimegraph.transparency.gather import build_record
    from crimegraph.transparency.render import as_json, markdown
    from responsible.retention.policy import RetentionPolicyError

    settings = load_settings()
    try:
        record = build_record(settings, bench_dir=bench_dir, owner_file=owner)
    except (RetentionPolicyError, FileNotFoundError) as exc:
        raise fail(str(exc)) from exc
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(markdown(record), encoding="utf-8")
    out.with_suffix(".json").write_text(as_json(record), encoding="utf-8")
    console.print(
        f"{len(record['data_specification'])} sources, "
        f"{len(record['model_specification'])} models → {out} and {out.with_suffix('.json')}"
    )
