.PHONY: install lint format test demo bench

install:
	pip install -e '.[test]'

lint:
	ruff check .
	ruff format --check .
	mypy

format:
	ruff format .
	ruff check --fix .

test:
	pytest -q

demo:
	tender demo demo-campaign --force

bench:
	python benchmarks/run.py
