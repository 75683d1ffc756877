"""The only MkDocs-specific code: wire the engine-independent renderers into the build.

* ``on_config``: generate the Markdown fragments the pages include (failing the build, with every
  problem listed, if any part's derivation, check or page is wrong) and the navigation; put the
  build's version, commit and date where the templates read them (the footer).
* ``on_files``: announce the site's zip, written at the end, so pages can link to it.
* ``on_page_content``: notebook pages' printed outputs merged the same way on every build, before
  the search index reads them.
* ``on_page_markdown``: every page's description (for ``<meta name="description">``), a "Cite" box
  after every part of an exercise page, and ``<!-- solutions:... -->`` shortcodes (an unknown one
  fails the build).
* ``on_page_context``: typeset every formula to HTML with KaTeX at build time, so the site ships no
  math JavaScript and loads nothing from other hosts (a formula that does not render fails the
  build); give every page the build's date as its sitemap date.
* ``on_post_build``: tag each part's section in the search index with its label, write each
  notebook's ``.ipynb`` next to its page, and the whole site as a zip.

Notebook cells get ids that depend on the notebook only (nbformat's are random), so that two builds
of the same sources are identical outside the elements marked ``data-build-metadata``.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

from solutions.exercises.catalog import refresh
from solutions.render import katex
from solutions.render.build_info import build_info
from solutions.render.citation import add_cite_boxes, exercise_for_page, expand_shortcodes
from solutions.render.describe import page_description
from solutions.render.notebook import focusable_code, merge_stream_outputs, stable_page_cell_ids, write_ipynb
from solutions.render.offline import ZIP_NAME, write_site_zip
from solutions.render.search import tag_parts
from solutions.render.site import GENERATED_DIR, BuildError, generate, nav

log = logging.getLogger("mkdocs.hooks.solutions")
ZIP_PATH = f"downloads/{ZIP_NAME}"


def on_config(config: Any) -> Any:
    refresh()  # `mkdocs serve` rebuilds in the same process: read the data and solutions anew
    try:
        written = generate(GENERATED_DIR)
    except BuildError as error:
        raise PluginError(str(error)) from None
    log.info("solutions: %d generated fragment(s) changed", len(written))
    config["nav"] = nav()
    config["mdx_configs"].setdefault("pymdownx.snippets", {})["base_path"] = [str(GENERATED_DIR)]
    build = build_info()
    config["extra"]["build"] = {"version": build.version, "commit": build.short_commit, "date": build.iso_date}
    return config


def on_files(files: Any, config: Any) -> Any:
    files.append(File.generated(config, ZIP_PATH, content=b""))  # replaced by the real zip at the end
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    where = page.file.src_uri
    if not page.meta.get("description"):  # from the source as written: no build metadata in it
        page.meta["description"] = page_description(where, markdown)
    exercise = exercise_for_page(where)
    if exercise is not None:
        markdown = add_cite_boxes(markdown, exercise, page.canonical_url, build_info())
    try:
        return expand_shortcodes(markdown, site_url=config["site_url"] or "", build=build_info(), where=where)
    except ValueError as error:
        raise PluginError(str(error)) from None


def _is_notebook(page: Any) -> bool:
    return page.file.src_uri.endswith((".py", ".ipynb"))


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    return merge_stream_outputs(html) if _is_notebook(page) else html


@event_priority(-100)  # after the search plugin has indexed the TeX source, not KaTeX's output
def on_page_context(context: Any, page: Any, config: Any, nav: Any) -> Any:
    where = page.file.src_uri
    try:
        if _is_notebook(page):
            tidy = focusable_code(stable_page_cell_ids(page.content))
            page.content = katex.render_dollar_math_in_notebook_html(tidy, where=where)
        else:
            page.content = katex.render_arithmatex_html(page.content, where=where)
    except katex.MathRenderError as error:
        raise PluginError(str(error)) from None
    if build_info().iso_date:
        page.update_date = build_info().iso_date  # the sitemap's lastmod: the build's date, not the clock
    return context


@event_priority(-100)  # after the search plugin has written its index
def on_post_build(config: Any) -> None:
    docs, site = Path(config["docs_dir"]), Path(config["site_dir"])
    index_file = site / "search" / "search_index.json"
    if index_file.exists():
        index = tag_parts(
            json.loads(index_file.read_text(encoding="utf-8")), directory_urls=config["use_directory_urls"]
        )
        index_file.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    for source in sorted((docs / "notebooks").glob("*.py")):
        write_ipynb(source, site / "notebooks" / f"{source.stem}.ipynb")
    size = write_site_zip(site, site / ZIP_PATH, title=config["site_name"], version=build_info().version)
    log.info("solutions: wrote %s (%d kB)", ZIP_PATH, size // 1000)
