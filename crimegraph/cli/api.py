"""`crimegraph api schema`: export the GraphQL SDL the server serves."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from core.settings import PROJECT_ROOT
from crimegraph.cli.common import app, console

SDL_PATH = PROJECT_ROOT / "docs" / "schema.graphql"

api_app = typer.Typer(help="The GraphQL API: schema export.", no_args_is_help=True)
app.add_typer(api_app, name="api")


def sdl() -> str:
    from api.schema import schema

    return schema.as_str() + "\n"


@api_app.command("schema")
def export_schema(
    out: Annotated[Path, typer.Option(help="Where to write the SDL.")] = SDL_PATH,
) -> None:
    """Write the GraphQL schema (SDL) to docs/schema.graphql (or --out)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(sdl())
    console.print(f"GraphQL schema written to {out}")
