"""What the tests share that is not a fixture: the sample reports and their cells written by hand, warehouses
made from files, corpora. Not test modules: pytest collects no test here (fixtures are in tests/conftest.py)."""
