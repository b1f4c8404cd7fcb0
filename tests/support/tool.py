"""A stand-in for a tool xxgk runs (dbt, GX): ``python -m tests.support.tool CODE [RAISE]`` prints where it runs and
exits with CODE (or raises). It notes the process that imported it: a fork of the tool server shows the server's."""
from __future__ import annotations

import json
import os
import sys

IMPORTED_IN = os.getpid()


def main() -> int:
    print(json.dumps({"pid": os.getpid(), "imported_in": IMPORTED_IN, "argv": sys.argv[1:], "cwd": os.getcwd(),
                      "env": os.environ.get("XXGK_TOOL_TEST")}))
    print("on stderr too", file=sys.stderr)
    if sys.argv[2:3] == ["raise"]:
        raise RuntimeError("the tool failed")
    sys.exit(int(sys.argv[1]))


if __name__ == "__main__":
    main()
