"""Parses every .bicep file under a folder with pycep-parser and prints, as one JSON object, which
files parsed (or the error) and the parameters of main.bicep with whether each has a default."""
import json
import sys
from pathlib import Path

from pycep import BicepParser


def main(root: str) -> None:
    parser = BicepParser()
    files = {}
    trees = {}
    for path in sorted(Path(root).rglob("*.bicep")):
        rel = path.relative_to(root).as_posix()
        try:
            trees[rel] = parser.parse(file_path=path)
            files[rel] = "ok"
        except Exception as err:  # the parser's own errors name the line and token
            files[rel] = f"{type(err).__name__}: {err}"
    main_params = {}
    if "main.bicep" in trees:
        for name, param in trees["main.bicep"].get("parameters", {}).items():
            main_params[name] = {"hasDefault": param.get("default") is not None, "type": param.get("type")}
    print(json.dumps({"files": files, "mainParameters": main_params}))


if __name__ == "__main__":
    main(sys.argv[1])
