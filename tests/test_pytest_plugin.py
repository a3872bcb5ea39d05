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


SHOP = """\
service: shop
routes:
  - {method: POST, path: /orders, response: {status: 201, body: {id: 7}}}
  - {path: /orders, response: {body: []}}
"""


@pytest.fixture
def shop(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makefile(".yaml", shop=SHOP)
    pytester.makeini("[pytest]\nmockery_specs = shop.yaml\n")
    return pytester


@pytest.mark.slow
def test_a_failed_verification_prints_one_paragraph_without_mockery_frames(shop: pytest.Pytester) -> None:
    shop.makepyfile(
        """
        import httpx

        def test_order(mockery):
            httpx.post(mockery.url + "/orders", json={"amount": 2000, "currency": "eur"})
            httpx.get(mockery.url + "/orders?status=paid")
            mockery.assert_called("POST", "/orders", json={"amount": 1999}, times=1)
        """
    )
    result = shop.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            '>*mockery.assert_called("POST", "/orders", json={"amount": 1999}, times=1)',
            "E*AssertionError: expected POST /orders with json={'amount': 1999} to be called once, it was not called;"
            " 2 calls received, the closest:",
            "E*#1 POST /orders -> 201 [[]shop: POST /orders[]]: body.json: amount: expected 1999, got 2000",
            "E*#2 GET /orders?status=paid -> 200 [[]shop: GET /orders[]]: method: expected POST, got GET*",
            "test_a_failed_verification_prints_one_paragraph_without_mockery_frames.py:6: AssertionError",
        ]
    )
    printed = result.stdout.str()
    assert "mock_server.py" not in printed
    assert "verify.py" not in printed
    assert "Captured mockery journal" not in printed


@pytest.mark.slow
def test_mockery_journal_adds_the_calls_of_a_failing_test_to_its_report(shop: pytest.Pytester) -> None:
    shop.makepyfile(
        """
        import httpx

        def test_passes(mockery_module):
            httpx.post(mockery_module.url + "/orders", json={"amount": 1})

        def test_fails(mockery_module):
            httpx.post(mockery_module.url + "/orders", json={"amount": 2})
            assert False, "the shop broke"

        def test_typo(mockery):
            httpx.get(mockery.url + "/ordres")

        def test_without_mockery():
            assert False, "no server here"
        """
    )
    result = shop.runpytest_subprocess("-p", "no:cacheprovider", "--mockery-journal")
    result.assert_outcomes(passed=2, failed=2, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_typo*",
            "*matched no route*",
            "*- Captured mockery journal teardown -*",
            "mockery (http://127.0.0.1:*): 1 call",
            "  #1 GET /ordres -> 404 [[]shop: -[]]",
            "*_ test_fails _*",
            "*- Captured mockery journal call -*",
            "mockery_module (http://127.0.0.1:*): 1 call",
            "  #1 POST /orders -> 201 [[]shop: POST /orders[]]",
            '      request body: {"amount":2}',
        ]
    )
    # Only the failing test's own call: the module's earlier one is left out; a test without a server has none.
    assert '{"amount":1}' not in result.stdout.str()
    assert result.stdout.str().count("Captured mockery journal") == 2


@pytest.mark.slow
def test_module_and_session_fixtures_keep_state_across_tests_and_reset_per_scope(shop: pytest.Pytester) -> None:
    shop.makepyfile(
        test_a="""
        import httpx

        def test_one(mockery_module, mockery_session):
            httpx.get(mockery_module.url + "/orders")
            httpx.get(mockery_session.url + "/orders")
            assert mockery_module.url != mockery_session.url

        def test_two(mockery_module, mockery_session, mockery):
            assert len(mockery_module.calls) == 1
            assert len(mockery_session.calls) == 1
            assert mockery.calls == []
            httpx.get(mockery.url + "/orders")
        """,
        test_b="""
        def test_three(mockery_module, mockery_session, mockery):
            assert mockery_module.calls == []
            assert len(mockery_session.calls) == 1
            assert mockery.calls == []
        """,
    )
    shop.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=3)


@pytest.mark.slow
def test_strict_mode_checks_a_module_fixture_when_the_module_ends(shop: pytest.Pytester) -> None:
    shop.makepyfile(
        """
        import httpx

        def test_typo(mockery_module):
            httpx.get(mockery_module.url + "/ordres")

        def test_after(mockery_module):
            assert len(mockery_module.calls) == 1
        """
    )
    result = shop.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_after*", "*GET /ordres -> 404*"])


@pytest.mark.slow
def test_the_marker_and_the_option_are_documented_by_pytest(pytester: pytest.Pytester) -> None:
    markers = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--markers")
    markers.stdout.fnmatch_lines(["@pytest.mark.mockery(specs=None, seed=None, strict=None): the spec files*"])
    helped = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--help")
    helped.stdout.fnmatch_lines(["mockery: fake services for tests:", "  --mockery-journal*"])
