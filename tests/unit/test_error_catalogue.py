"""Every error code the domain can raise is in the catalogue, with both languages."""

import importlib
import pkgutil

import domain
from domain.errors import DomainError
from mobile_contract.errors import CATALOGUE


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def test_every_domain_error_code_is_catalogued():
    for module in pkgutil.walk_packages(domain.__path__, "domain."):
        if "piccolo_migrations" not in module.name:
            importlib.import_module(module.name)
    codes = {cls.code for cls in _all_subclasses(DomainError)}
    assert len(codes) >= 10
    assert codes - set(CATALOGUE) == set()


def test_every_catalogue_entry_has_both_languages_and_an_error_status():
    for code, entry in CATALOGUE.items():
        assert code.isupper() and 400 <= entry.status < 600
        assert entry.zh and entry.en and entry.zh != entry.en


# --- codes raised anywhere, not only by DomainError subclasses ------------------------------------------------------

import ast  # noqa: E402
import inspect  # noqa: E402
import re  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from litestar import exceptions as litestar_exceptions  # noqa: E402

from api.errors import HTTP_ERROR_CODES, HTTP_STATUS_CODES, CodedProblem, domain_error_to_problem, http_error_to_problem  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CODE = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
# Functions whose first argument is an error code.
CODE_TAKERS = {"CodedProblem"}
# Modules that map errors to HTTP: every upper-case constant in them is a code.
MAPPING_MODULES = {"api/errors.py"}


def _codes_in(node: ast.AST) -> set[str]:
    return {
        n.value
        for n in ast.walk(node)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and CODE.match(n.value)
    }


def codes_in_source(source: str, *, mapping_module: bool = False) -> set[str]:
    """Literal codes in error positions: `code = "X"` in a class, `code="X"`, `CodedProblem("X")`, `{"code": "X"}`."""
    tree = ast.parse(source)
    if mapping_module:
        return _codes_in(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for statement in node.body:
                targets = (
                    statement.targets if isinstance(statement, ast.Assign) else [getattr(statement, "target", None)]
                )
                if any(isinstance(t, ast.Name) and t.id == "code" for t in targets) and statement.value is not None:
                    found |= _codes_in(statement.value)
        elif isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in CODE_TAKERS and node.args:
                found |= _codes_in(node.args[0])
            found |= {code for keyword in node.keywords if keyword.arg == "code" for code in _codes_in(keyword.value)}
        elif isinstance(node, ast.Dict):
            found |= {
                code
                for key, value in zip(node.keys, node.values, strict=False)
                if isinstance(key, ast.Constant) and key.value == "code"
                for code in _codes_in(value)
            }
    return found


def raised_codes() -> dict[str, str]:
    """Every literal error code in api/, domain/ and workers/, with a file that uses it."""
    found = {}
    for folder in ("api", "domain", "workers"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = str(path.relative_to(ROOT))
            if "piccolo_migrations" in relative:
                continue
            for code in codes_in_source(path.read_text(), mapping_module=relative in MAPPING_MODULES):
                found.setdefault(code, relative)
    return found


def test_every_code_raised_anywhere_is_catalogued():
    found = raised_codes()
    # The scan sees codes outside DomainError subclasses too: CodedProblem calls and the HTTP table of api/errors.py.
    assert {
        "IF_MATCH_REQUIRED",
        "REQUEST_MALFORMED",
        "INTERNAL_ERROR",
        "AUTH_REQUIRED",
        "IDEMPOTENCY_KEY_REUSED",
    } <= set(found)
    # The base class's placeholder: only subclasses are raised (checked below), so it never reaches a client.
    found.pop("DOMAIN_ERROR")
    missing = {code: path for code, path in found.items() if code not in CATALOGUE}
    assert not missing, f"codes raised but not in mobile_contract/errors.py CATALOGUE: {missing}"


def test_the_domain_error_base_is_never_raised_itself():
    for folder in ("api", "domain", "workers"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                    assert getattr(node.exc.func, "id", None) != "DomainError", path


def test_the_scan_finds_codes_in_every_error_position():
    source = (
        "class Late(DomainError):\n    code = 'SYNC_OP_TOO_LATE'\n"
        "raise CodedProblem('SOME_PROBLEM', 'x')\n"
        "result = OpResult(op_id=1, code='OP_REFUSED' if refused else 'OP_FAILED')\n"
        "body = {'code': 'DICT_CODE', 'title': 'NOT_A_CODE_POSITION'}\n"
        "settings = env.get('SF_NOT_A_CODE')\n"
    )
    assert codes_in_source(source) == {"SYNC_OP_TOO_LATE", "SOME_PROBLEM", "OP_REFUSED", "OP_FAILED", "DICT_CODE"}


# --- the status a code is sent with is the catalogue's ----------------------------------------------------------------


def _sent(problem: CodedProblem) -> tuple[int, int, str]:
    """(HTTP status, body status, code) of a problem as the app renders it."""
    from litestar.testing import RequestFactory

    response = problem.to_response(RequestFactory().get("/"))
    return response.status_code, response.content["status"], response.content["code"]


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_code_is_sent_with_its_catalogued_status(code):
    assert _sent(CodedProblem(code)) == (CATALOGUE[code].status, CATALOGUE[code].status, code)


def test_every_domain_error_is_sent_with_the_status_of_its_code():
    for module in pkgutil.walk_packages(domain.__path__, "domain."):
        if "piccolo_migrations" not in module.name:
            importlib.import_module(module.name)
    for cls in _all_subclasses(DomainError):
        status, body_status, code = _sent(domain_error_to_problem(cls()))
        assert (status, body_status, code) == (CATALOGUE[cls.code].status,) * 2 + (cls.code,), cls


LITESTAR_ERRORS = sorted(
    (
        cls
        for _, cls in inspect.getmembers(litestar_exceptions, inspect.isclass)
        if issubclass(cls, litestar_exceptions.HTTPException)
    ),
    key=lambda cls: cls.__name__,
)


@pytest.mark.parametrize("error", LITESTAR_ERRORS, ids=lambda cls: cls.__name__)
def test_litestar_errors_keep_their_status_and_get_a_code_of_that_status(error):
    arguments = {"template_name": "x"} if error is litestar_exceptions.TemplateNotFoundException else {}
    status, body_status, code = _sent(http_error_to_problem(error(**arguments)))
    assert status == body_status == error.status_code == CATALOGUE[code].status


@pytest.mark.parametrize("status", [413, 415, 429, 503])
def test_size_type_and_rate_refusals_keep_their_status(status):
    sent, _, code = _sent(http_error_to_problem(litestar_exceptions.ClientException(status_code=status)))
    assert sent == status == CATALOGUE[code].status


def test_the_http_table_takes_each_status_from_the_catalogue_once():
    assert len(HTTP_STATUS_CODES) == len(HTTP_ERROR_CODES), "two HTTP error codes share a status"
    assert all(CATALOGUE[code].status == status for status, code in HTTP_STATUS_CODES.items())
