"""The Go text/template subset: values, control flow, functions and errors."""

from __future__ import annotations

import pytest

from berth.cli.format.gofuncs import HEADER_FUNCS, go_sprintf
from berth.cli.format.govalues import Context, go_float, go_str
from berth.cli.format.template import Template, TemplateError

DATA = {"Name": "web", "Tags": ["a", "b"], "Labels": {"z": "1", "a": "2"}, "N": 3,
        "Empty": "", "Nil": None, "Nested": {"Inner": {"Leaf": "deep"}}}


def run(src: str, data: object = DATA, **kw: object) -> str:
    return Template(src).execute(data, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(("src", "want"), [
    ("{{.Name}}", "web"),
    ("{{.Nested.Inner.Leaf}}", "deep"),
    ("{{.Tags}}", "[a b]"),
    ("{{.Labels}}", "map[a:2 z:1]"),
    ("{{.Nil}}", "<nil>"),
    ("{{.Missing}}", "<no value>"),
    ("{{json .Tags}}", '["a","b"]'),
    ("{{json .Name}}", '"web"'),
    ("{{join .Tags \",\"}}", "a,b"),
    ("{{split \"a:b\" \":\"}}", "[a b]"),
    ("{{upper .Name}} {{title \"hello world\"}} {{lower \"ABC\"}}", "WEB Hello World abc"),
    ("{{.Name | upper | printf \"%s!\"}}", "WEB!"),
    ("{{truncate .Name 2}}|{{pad .Name 1 2}}|", "we| web  |"),
    ("{{len .Tags}} {{index .Tags 1}} {{index .Labels \"z\"}}", "2 b 1"),
    ("{{if .Empty}}yes{{else if .N}}n{{else}}no{{end}}", "n"),
    ("{{range .Tags}}<{{.}}>{{end}}", "<a><b>"),
    ("{{range $i, $t := .Tags}}{{$i}}={{$t}} {{end}}", "0=a 1=b "),
    ("{{range $k, $v := .Labels}}{{$k}}{{$v}}{{end}}", "a2z1"),
    ("{{range .Nil}}x{{else}}empty{{end}}", "empty"),
    ("{{with .Nested.Inner}}{{.Leaf}}{{end}}", "deep"),
    ("{{$x := .Name}}{{$x}}-{{$.N}}", "web-3"),
    ("a  {{- .Name -}}  b", "awebb"),
    ("{{/* comment */}}ok", "ok"),
    ("{{eq .N 3}} {{ne .Name \"x\"}} {{lt 1 2}} {{and 1 0}} {{or 0 \"y\"}} {{not true}}",
     "true true true 0 y false"),
    ("{{println .Name .N}}", "web 3\n"),
    ("{{print .N .N}} {{print \"a\" \"b\"}}", "3 3 ab"),
    ("{{(index .Tags 0) | upper}}", "A"),
    ("{{.}}", "map[Empty: Labels:map[a:2 z:1] N:3 Name:web Nested:map[Inner:map[Leaf:deep]] "
              "Nil:<nil> Tags:[a b]]"),
])
def test_render(src: str, want: str) -> None:
    assert run(src) == want


@pytest.mark.parametrize(("src", "want"), [
    ("{{.ID", "template: :1: unclosed action"),
    ("{{foo .}}", 'template: :1: function "foo" not defined'),
    ("{{end}}", "template: :1: unexpected {{end}}"),
    ("{{if .X}}", "template: :1: unexpected EOF"),
])
def test_parse_errors_use_go_wording(src: str, want: str) -> None:
    with pytest.raises(TemplateError) as exc:
        Template(src)
    assert str(exc.value) == want


def test_missing_key_error_mode() -> None:
    with pytest.raises(TemplateError, match='map has no entry for key "Nope"'):
        run("{{.Nope}}", missingkey_error=True)


class Row(Context):
    type_name = "*formatter.imageContext"
    json_fields = ("ID", "Repository")

    def ID(self) -> str:
        return "abc"

    def Repository(self) -> str:
        return "<none>"


def test_context_fields_and_json_escape_html_like_go() -> None:
    assert run("{{.ID}}", Row()) == "abc"
    assert run("{{json .}}", Row()) == '{"ID":"abc","Repository":"\\u003cnone\\u003e"}'


def test_context_unknown_field_is_execution_error() -> None:
    with pytest.raises(TemplateError) as exc:
        run("{{.Foo}}", Row())
    assert str(exc.value) == ('template: :1:2: executing "" at <.Foo>: can\'t evaluate field '
                              "Foo in type *formatter.imageContext")


def test_header_funcs_return_column_names() -> None:
    tmpl = Template("{{upper .Repository}}\t{{json .ID}}")
    header = {"Repository": "REPOSITORY", "ID": "IMAGE ID"}
    assert tmpl.execute(header, funcs=HEADER_FUNCS) == "REPOSITORY\tIMAGE ID"


def test_printf_verbs() -> None:
    assert go_sprintf("%s|%5s|%-4d|%q|%x|%.2f|%t|%%", "a", "b", 7, "q", 255, 1.5, True) == \
        'a|    b|7   |"q"|ff|1.50|true|%'


def test_go_float_and_str() -> None:
    assert go_float(1e6) == "1e+06"
    assert go_float(123456.0) == "123456"
    assert go_float(1.5) == "1.5"
    assert go_str(True) == "true"
    assert go_str([1, "a", None]) == "[1 a <nil>]"
