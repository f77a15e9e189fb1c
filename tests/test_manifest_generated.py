"""The manifest loader on generated input: it loads, or it raises LayoutError with located problems.

Hypothesis writes arbitrary text, YAML made of arbitrary data, and mutations of a good
issue.yaml and a good article; whatever comes in, no other exception may come out, and every
problem names its file and a line inside it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layout.model.errors import LayoutError
from layout.model.manifest import load_issue, load_publication, read_yaml
from tests.conftest import ARTICLE, ROOT

GOOD_MANIFEST = "number: 1\ndate: 2017-02-01\ntheme: A theme\narticles:\n  - file: small.md\n    columns: 1\n"
PUBLICATION = load_publication(ROOT / "issues", ROOT)

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=40), st.dates()
)
data = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12) | st.integers(), inner, max_size=4)
    ),
    max_leaves=20,
)
yaml_text = data.map(lambda value: yaml.safe_dump(value, allow_unicode=True))
fields = st.sampled_from(
    ["number", "date", "theme", "style", "articles", "file", "title", "columns", "new_page"]
)
manifests = st.one_of(
    st.text(max_size=300),
    yaml_text,
    st.dictionaries(fields, data, max_size=6).map(yaml.safe_dump),
    st.tuples(st.integers(0, len(GOOD_MANIFEST)), st.integers(0, 20), st.text(max_size=20)).map(
        lambda cut: GOOD_MANIFEST[: cut[0]] + cut[2] + GOOD_MANIFEST[cut[0] + cut[1] :]
    ),
)
articles = st.tuples(st.integers(0, len(ARTICLE)), st.integers(0, 30), st.text(max_size=30)).map(
    lambda cut: ARTICLE[: cut[0]] + cut[2] + ARTICLE[cut[0] + cut[1] :]
)


def assert_located(error: LayoutError, files: dict[str, str]) -> None:
    assert error.problems
    for problem in error.problems:
        assert problem.path in files, problem
        assert problem.line is not None and 1 <= problem.line <= files[problem.path].count("\n") + 2, problem


def load(folder: Path, manifest: str, article: str = ARTICLE) -> None:
    issue = folder / "issues" / "001"
    shutil.rmtree(folder / "issues", ignore_errors=True)
    (issue / "figures").mkdir(parents=True)
    (issue / "issue.yaml").write_text(manifest, encoding="utf-8", errors="surrogatepass")
    (issue / "small.md").write_text(article, encoding="utf-8", errors="surrogatepass")
    files = {"issues/001/issue.yaml": manifest, "issues/001/small.md": article}
    try:
        load_issue(issue, PUBLICATION, folder)
    except LayoutError as error:
        assert_located(error, files)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(st.text(max_size=400), yaml_text))
def test_read_yaml_loads_or_reports_a_located_problem(text: str) -> None:
    try:
        read_yaml(text, "generated.yaml")
    except LayoutError as error:
        assert_located(error, {"generated.yaml": text})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(manifest=manifests)
def test_any_issue_manifest_loads_or_reports_located_problems(tmp_path: Path, manifest: str) -> None:
    load(tmp_path, manifest)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(article=articles)
def test_any_article_loads_or_reports_located_problems(tmp_path: Path, article: str) -> None:
    load(tmp_path, GOOD_MANIFEST, article)


def test_deep_nesting_is_a_located_problem_not_a_crash() -> None:
    for text in ("[" * 3000 + "]" * 3000, "- " * 3000 + "x", "[" * 100 + "]" * 100):
        try:
            read_yaml(text, "deep.yaml")
        except LayoutError as error:
            assert_located(error, {"deep.yaml": text})
            assert "nested" in str(error)
        else:
            raise AssertionError("deep nesting was accepted")
