"""The pytest plugin, run as users run it: a fresh pytest process over a test file that knows only the fixture."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

SPECS = Path(__file__).resolve().parent.parent / "specs"


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeini(f"[pytest]\nmockery_specs = {SPECS}\nmockery_seed = 0\n")
    return pytester


@pytest.mark.slow
def test_a_test_uses_the_fixture_and_asserts_calls(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import httpx

        def test_user(mockery):
            response = httpx.get(mockery.url_for("users") + "/users/42")
            assert response.status_code == 200
            assert response.json()["id"] == 42
            mockery.assert_called("GET", "/api/users/42", times=1)
        """
    )
    result = project.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


@pytest.mark.slow
def test_an_unmatched_request_fails_the_test_at_teardown(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import httpx

        def test_typo(mockery):
            assert httpx.get(mockery.url_for("users") + "/usres/1").status_code == 404
        """
    )
    result = project.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*matched no route*", "*GET /api/usres/1 -> 404*"])


@pytest.mark.slow
def test_strict_mode_can_be_turned_off_by_marker(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import httpx, pytest

        @pytest.mark.mockery(strict=False)
        def test_typo(mockery):
            assert httpx.get(mockery.url_for("users") + "/usres/1").status_code == 404
        """
    )
    project.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


@pytest.mark.slow
def test_each_test_starts_from_the_same_state_on_the_same_port(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import httpx

        seen = []

        def draw(mockery):
            seen.append(mockery.url)
            return [httpx.get(mockery.url_for("users") + "/lucky").json() for _ in range(3)]

        def test_first(mockery):
            seen.append(draw(mockery))
            assert len(mockery.calls) == 3

        def test_second(mockery):
            assert mockery.calls == []
            assert draw(mockery) == seen[1]
            assert seen[0] == seen[2]
        """
    )
    project.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=2)


@pytest.mark.slow
def test_a_marker_chooses_other_specs_and_seed(project: pytest.Pytester, tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text("service: other\nroutes: [{path: /ping, response: {body: pong}}]\n")
    project.makepyfile(
        f"""
        import httpx, pytest

        @pytest.mark.mockery(specs=[{str(other)!r}], seed=3)
        def test_other(mockery):
            assert httpx.get(mockery.url + "/ping").text == "pong"

        def test_default(mockery):
            assert httpx.get(mockery.url + "/ping").status_code == 404
        """
    )
    result = project.runpytest_subprocess("-p", "no:cacheprovider")
    # The default specs have no /ping: that test passes its assertion, then fails strict mode at teardown.
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_default*"])


@pytest.mark.slow
def test_without_specs_the_fixture_says_how_to_configure_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x(mockery):\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret != 0
    assert "set `mockery_specs` in pytest's ini file" in result.stdout.str() + result.stderr.str()


@pytest.mark.slow
def test_runs_under_xdist_with_two_workers(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import httpx, pytest

        @pytest.mark.parametrize("user", range(8))
        def test_user(mockery, user):
            assert httpx.get(mockery.url_for("users") + f"/users/{user}").json()["id"] == user
            mockery.assert_called("GET", f"/api/users/{user}", times=1)
        """
    )
    project.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2").assert_outcomes(passed=8)


@pytest.mark.slow
def test_records_written_in_one_test_are_gone_in_the_next(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import httpx

        ports = []

        def test_writes(mockery):
            ports.append(mockery.url)
            shop = mockery.url_for("shop")
            created = httpx.post(shop + "/customers", json={"name": "Ada", "email": "ada@example.com"})
            assert created.status_code == 201
            assert httpx.get(shop + created.headers["location"].removeprefix("/shop")).status_code == 200
            assert httpx.get(shop + "/customers").headers["x-total-count"] == "51"

        def test_reads(mockery):
            assert mockery.url == ports[0]
            shop = mockery.url_for("shop")
            assert httpx.get(shop + "/customers").headers["x-total-count"] == "50"
            assert httpx.get(shop + "/customers/51").status_code == 404
        """
    )
    project.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=2)
