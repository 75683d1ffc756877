"""The only MkDocs-specific code: wire the engine-independent renderers into the build.

* ``on_config``: generate the Markdown fragments the pages include (failing the build, with every
  problem listed, if any part's derivation, check or page is wrong) and the navigation.
* ``on_page_context``: typeset every formula to HTML with KaTeX at build time, so the site ships no
  math JavaScript and loads nothing from other hosts; a formula that does not render fails the build.
* ``on_post_build``: write each notebook's ``.ipynb`` next to its page, for download.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

from solutions.exercises.catalog import refresh
from solutions.render import katex, notebooks
from solutions.render.site import GENERATED_DIR, BuildError, generate, nav

log = logging.getLogger("mkdocs.hooks.solutions")


def on_config(config: Any) -> Any:
    refresh()  # `mkdocs serve` rebuilds in the same process: read the data and solutions anew
    try:
        written = generate(GENERATED_DIR)
    except BuildError as error:
        raise PluginError(str(error)) from None
    log.info("solutions: %d generated fragment(s) changed", len(written))
    config["nav"] = nav()
    config["mdx_configs"].setdefault("pymdownx.snippets", {})["base_path"] = [str(GENERATED_DIR)]
    return config


def _is_notebook(page: Any) -> bool:
    return page.file.src_uri.endswith((".py", ".ipynb"))


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    # Before the search index reads the page: notebook pages made the same on every build.
    if _is_notebook(page):
        return notebooks.stable_cell_ids(notebooks.merge_stream_outputs(html))
    return html


@event_priority(-100)  # after the search plugin has indexed the TeX source, not KaTeX's output
def on_page_context(context: Any, page: Any, config: Any, nav: Any) -> Any:
    where = page.file.src_uri
    try:
        if _is_notebook(page):
            page.content = katex.render_dollar_math_in_notebook_html(page.content, where=where)
        else:
            page.content = katex.render_arithmatex_html(page.content, where=where)
    except katex.MathRenderError as error:
        raise PluginError(str(error)) from None
    return context


def on_post_build(config: Any) -> None:
    docs, site = Path(config["docs_dir"]), Path(config["site_dir"])
    for source in sorted((docs / "notebooks").glob("*.py")):
        notebooks.write_ipynb(source, site / "notebooks" / f"{source.stem}.ipynb")
