"""tests.support.tool, whose import starts a thread: a fork of a process with threads may hang on a lock another
thread held, so the tool server runs it as its own command (``python -m tests.support.threaded_tool CODE``)."""
from __future__ import annotations

import threading

from tests.support.tool import main

threading.Thread(target=threading.Event().wait, daemon=True).start()

if __name__ == "__main__":
    main()
