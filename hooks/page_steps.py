"""MkDocs hook: a page that did not change gets its search sections and reading time from
the page cache (hooks/page_cache.py) instead of Material parsing its HTML again.

- Search: Material's search plugin parses every page into sections (0.7 s of a warm build
  on this project's machine). Its index's ``add_entry_from_context`` is wrapped: the entries
  a page adds are kept under the page's HTML, URL, title, table of contents and search
  settings, and Material's version.
- Reading time: Material's blog plugin parses every post to count its words (0.3 s). This
  hook runs just before it, on the same HTML, and sets the post's ``readtime`` (the front
  matter field the plugin reads first) from the cache; a readtime written in the front
  matter wins, as before.

Both wrap what Material computes, with Material's own functions: a miss gives exactly what
Material alone would. The hook fails the build if Material's search index has moved, so an
upgrade cannot make every build slow without anyone noticing.
"""

from __future__ import annotations

import importlib.metadata
import json
from functools import partial

import page_cache  # hooks/page_cache.py: MkDocs puts a hook's folder on sys.path while loading it
from material.plugins.blog.plugin import BlogPlugin
from material.plugins.blog.readtime import readtime
from material.plugins.search import plugin as search_plugin
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

MATERIAL = importlib.metadata.version("mkdocs-material")

_dirty = False


def on_startup(command, dirty):
    global _dirty
    _dirty = dirty


def on_pre_build(config):
    page_cache.forget_use()


def _toc(items) -> list:
    return [[item.id, item.url, item.title, _toc(item.children)] for item in items]


def search_parts(page) -> list[str]:
    """Everything Material's search index reads of a page."""
    meta = {name: page.meta.get(name) for name in ("search", "tags", "title")}
    jieba = search_plugin.jieba is not None  # Chinese segmentation, where jieba is installed
    described = [page.url, str(page.title), _toc(page.toc.items), meta, MATERIAL, jieba]
    return [page.content, json.dumps(described, default=str, sort_keys=True)]


def cache_search_entries(index, root) -> None:
    """Wrap ``index.add_entry_from_context`` so that a page's entries come from the cache
    of the project at ``root``."""
    add_entry = index.add_entry_from_context

    def add_entry_from_context(page):
        added = []

        def compute():
            before = len(index.entries)
            add_entry(page)
            added.extend(index.entries[before:])
            return added

        entries = page_cache.cached("search", page.file.src_uri, search_parts(page), compute, root)
        if entries is not added:
            index.entries.extend(entries)

    index.add_entry_from_context = add_entry_from_context


@event_priority(-100)  # after the search plugin has made this build's index
def on_config(config):
    for plugin in config.plugins.values():
        if isinstance(plugin, search_plugin.SearchPlugin) and plugin.config.enabled:
            index = getattr(plugin, "search_index", None)
            if not callable(getattr(index, "add_entry_from_context", None)):
                raise PluginError(
                    "hooks/page_steps.py: Material's search plugin has no search_index."
                    "add_entry_from_context any more; update the hook for mkdocs-material "
                    f"{MATERIAL}, or remove it from mkdocs.yml"
                )
            cache_search_entries(index, page_cache.project_root(config))


def _blogs(config) -> list[BlogPlugin]:
    return [plugin for plugin in config.plugins.values() if isinstance(plugin, BlogPlugin)]


@event_priority(100)  # before the blog plugin reads the HTML, and before any hook changes it
def on_page_content(html, page, config, files):
    for blog in _blogs(config):
        if not (blog.config.enabled and blog.config.post_readtime) or page not in blog.blog.posts:
            continue
        if page.config.readtime:  # written in the front matter
            continue
        speed = blog.config.post_readtime_words_per_minute
        parts = [html, str(speed), MATERIAL]
        compute = partial(readtime, html, speed)
        root = page_cache.project_root(config)
        page.config.readtime = page_cache.cached("readtime", page.file.src_uri, parts, compute, root)
    return html


@event_priority(-100)  # after every hook and plugin has used the cache
def on_post_build(config):
    if not _dirty:
        page_cache.prune(page_cache.project_root(config))
