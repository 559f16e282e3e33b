"""Write a copy of the book's configuration with some settings changed (the Makefile's build variants).

    python scripts/config_variant.py OUT [--from CONFIG] key.path=value ...

``execute.execute_notebooks=off`` renders the committed outputs (``make test``, after nbval has run every
notebook); ``execute.cache=/abs/path`` shares the main build's notebook cache (``make book-students``).
Jupyter Book reads the paths of ``sphinx.local_extensions`` relative to the configuration file, every other
path relative to the book's folder: the copy gets the extensions' folders as absolute paths.
"""

import argparse
from pathlib import Path

import yaml


def set_path(config, dotted, value):
    *parents, last = dotted.split(".")
    for key in parents:
        config = config.setdefault(key, {})
    config[last] = value


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--from", dest="source", type=Path, default=Path("_config.yml"))
    parser.add_argument("settings", nargs="+", help="key.path=value")
    args = parser.parse_args(argv)
    config = yaml.safe_load(args.source.read_text())
    extensions = config.get("sphinx", {}).get("local_extensions") or {}
    for name, folder in extensions.items():
        extensions[name] = str((args.source.parent / folder).resolve())
    for setting in args.settings:
        key, separator, value = setting.partition("=")
        if not separator:
            parser.error(f"{setting!r} is not key.path=value")
        set_path(config, key, value)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(yaml.safe_dump(config, sort_keys=False))


if __name__ == "__main__":
    main()
