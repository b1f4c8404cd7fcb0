"""What dbt gives the models at compile time, for sqlfluff's jinja templater (.sqlfluff: library_path): the models
are linted as the SQL they render to without dbt, its warehouse or its graph. Every value is a stand-in."""
import datetime as _dt

invocation_id = "lint"
project_name = "xxgk"
run_started_at = _dt.datetime(2026, 1, 1)
execute = False
graph = {"nodes": {}}


class _Flags:
    FULL_REFRESH = False


flags = _Flags()


class _Adapter:
    """adapter.dispatch('m')(…) and dbt.m(…) render a placeholder value: the macros behind them are linted in
    macros/, not where they are called."""

    def dispatch(self, name, macro_namespace=None):
        return lambda *args, **kwargs: "null"

    def __getattr__(self, name):
        return self.dispatch(name)


adapter = dbt = _Adapter()
# dbt's `return(value)` in a macro: the value itself.
globals()["return"] = lambda value: value
