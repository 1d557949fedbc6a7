#!/usr/bin/env python3
"""Writes tests/data/tokenizers/reference/jinja_cases.jsonl: templates rendered by jinja2 exactly as
transformers' apply_chat_template renders chat templates (ImmutableSandboxedEnvironment with trim_blocks,
lstrip_blocks and loopcontrols; transformers' tojson and raise_exception), to check evalflow's renderer on
Jinja features and on tool-call conversations that the transformers reference file does not cover.

Usage: python3 tools/text/gen_chat_template_cases.py   (needs jinja2 >= 3.1; run from the repository root)
"""
import json
import pathlib

import jinja2
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT / "tests/data/tokenizers"


def environment():
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    return env


# (name, template, variables): Jinja features one at a time.
FEATURES = [
    ("trim_blocks", "a  {% if true %}\n  b\n{% endif %}  c\n", {}),
    ("lstrip_blocks", "line\n    {% if true %}\n    yes\n    {% endif %}\nend", {}),
    ("minus_strips_both_sides", "x \n {%- if true -%} \n y \n {%- endif -%} \n z", {}),
    ("expression_tags_keep_newlines", "{{ 'a' }}\n{{ 'b' }}\n\n", {}),
    ("comment_trimmed", "{# comment #}\nx\n  {# indented #}\ny", {}),
    ("plus_keeps_whitespace", "  {%+ if true %}x{% endif %}\ny", {}),
    ("crlf_and_trailing_newline", "a\r\n{% if true %}\r\nb\r\n{% endif %}\r\n", {}),
    ("minus_on_expressions", "a  {{- 'b' -}}  c", {}),
    ("arithmetic", "{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % -3 }} {{ 2 ** 10 }} {{ 7 / 2 }} {{ 1.5 + 1 }} {{ 0.1 + 0.2 }} {{ 10 / 4 * 2 }} {{ 3 - 5 }}", {}),
    ("printing_values", "{{ none }} {{ true }} {{ [1, 'a', none, 'it\\'s'] }} {{ {'a': 1, 'b': [false]} }} {{ 1.0 }} {{ 2.50 }} {{ undefined_name }}|", {}),
    ("string_indexing", "{{ 'abc'[1] }} {{ 'héllo'[1:3] }} {{ 'abc'[::-1] }} {{ [1, 2, 3][-1] }} {{ [1, 2, 3, 4][1:3] }} {{ [1, 2, 3, 4][::2] }} {{ [1, 2, 3][::-1] }} {{ 'abcdef'[-2:] }} {{ [1, 2][5] }}|", {}),
    ("string_methods",
     "{{ '  x  '.strip() }}|{{ 'xxhixx'.strip('x') }}|{{ 'a,b,,c'.split(',') }}|{{ ' a  b '.split() }}|"
     "{{ 'a b c'.split(' ', 1) }}|{{ 'abc'.startswith('ab') }}|{{ 'abc'.endswith(('x', 'c')) }}|{{ 'Hello'.upper() }}|"
     "{{ 'Hello'.lower() }}|{{ 'a-b-c'.replace('-', '+') }}|{{ '\\n\\nx\\n'.lstrip('\\n') }}|{{ 'x\\n\\n'.rstrip() }}|"
     "{{ 'hello world'.title() }}|{{ 'hELLO'.capitalize() }}|{{ ', '.join(['a', 'b']) }}|{{ 'abc'.find('c') }}", {}),
    ("filters",
     "{{ '  x '|trim }}|{{ [1, 2]|length }}|{{ 'héllo'|length }}|{{ 'abc'|count }}|{{ undefined_name|default('dflt') }}|"
     "{{ ''|default('e', true) }}|{{ ''|d('kept') }}|{{ [1, 2, 3]|first }}{{ [1, 2, 3]|last }}|{{ ['a', 'b']|join(', ') }}|"
     "{{ [1, 2]|join }}|{{ 'abc'|upper }}|{{ 'ABC'|lower }}|{{ 'ab'|list }}|{{ [1, 2, 2, 3, 1]|unique|list }}|"
     "{{ [1, 2]|reverse|list }}|{{ 'abc'|reverse }}|{{ 42|string }}|{{ '5'|int + 1 }}|{{ 'x'|int }}|{{ 2.7|int }}|"
     "{{ '1.5'|float }}|{{ -3|abs }}|{{ 'hi'|safe }}|{{ 'hello world'|title }}|{{ 'hello'|capitalize }}|"
     "{{ 'a-b'|replace('-', '_') }}|{% for k, v in {'b': 1, 'a': 2}|items %}{{ k }}{{ v }}{% endfor %}|{{ 'l1\\nl2\\n\\nl3'|indent(2) }}|"
     "{{ 'l1\\nl2'|indent(first=true) }}", {}),
    ("tojson",
     "{{ {'b': 1, 'a': [1, 'x', none, true, 1.5, 1e20, -0.0001]}|tojson }}|{{ {'a': 'é\"\\\\\\n\\t\\u0001'}|tojson }}|"
     "{{ [1, {'x': 2}, [], {}]|tojson(indent=2) }}|{{ {'b': 1, 'a': 2}|tojson(sort_keys=true) }}|{{ tools|tojson }}", {
         "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Weather at a place",
                                                       "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                                                                      "required": ["city"]}}}]}),
    ("tests",
     "{{ x is defined }} {{ y is defined }} {{ y is undefined }} {{ none is none }} {{ 'a' is string }} {{ 1 is number }} "
     "{{ 1.5 is float }} {{ 1 is integer }} {{ true is boolean }} {{ false is false }} {{ true is true }} {{ {} is mapping }} "
     "{{ 3 is odd }} {{ 3 is even }} {{ 4 is divisibleby 2 }} {{ 'a' is in ['a'] }} {{ 1 is equalto 1 }} {{ 1 is eq 2 }} "
     "{{ x is not none }} {{ [] is iterable }} {{ 'ab' is lower }} {{ 2 is gt 1 }} {{ 2 is le 1 }} {{ x is sameas 1 }}",
     {"x": 1}),
    ("loop_variables",
     "{% for m in items %}{{ loop.index }}/{{ loop.index0 }}/{{ loop.length }}{{ '!' if loop.first }}{{ '$' if loop.last }}"
     "{{ loop.revindex }}{{ loop.revindex0 }}<{{ loop.previtem }}|{{ loop.nextitem }}>;{% endfor %}", {"items": ["a", "b", "c"]}),
    ("loop_filter_and_else", "{% for i in [1, 2, 3, 4] if i is even %}{{ i }}:{{ loop.index }}/{{ loop.length }} {% else %}none{% endfor %}|{% for i in [] %}x{% else %}empty{% endfor %}", {}),
    ("loop_controls", "{% for i in range(10) %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 5 %}{% break %}{% endif %}{{ i }}{% endfor %}|{{ range(3)|list }}|{{ range(1, 10, 3)|list }}|{{ range(5, 0, -2)|list }}", {}),
    ("loop_unpacking", "{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};{% endfor %}{% for k in {'x': 1, 'y': 2} %}{{ k }}{% endfor %}{% for a, b in [[1, 2], [3, 4]] %}{{ a + b }}{% endfor %}{% for c in 'hé' %}[{{ c }}]{% endfor %}", {}),
    ("nested_loops", "{% for row in rows %}{% for cell in row %}{{ loop.index }}{{ cell }}{% endfor %}:{{ loop.index }} {% endfor %}", {"rows": [["a", "b"], ["c"]]}),
    ("set_scoping", "{% set x = 1 %}{% for i in [1, 2] %}{% set x = i * 10 %}{{ x }},{% endfor %}{{ x }}|{% if true %}{% set y = 'in' %}{% endif %}{{ y }}|{% set a, b = [1, 2] %}{{ a }}{{ b }}|{% for i in [1, 2] %}[{{ z }}]{% set z = i %}{% endfor %}", {"z": 0}),
    ("namespace", "{% set ns = namespace(c=0, seen=[]) %}{% for i in [1, 2, 3] %}{% set ns.c = ns.c + i %}{% set ns.last = i %}{% endfor %}{{ ns.c }} {{ ns.last }}", {}),
    ("conditional_expressions", "{{ 'a' if false else 'b' }}{{ 'c' if false }}{{ 'd' if 1 > 0 else 'e' if true else 'f' }}", {}),
    ("concatenation", "{{ 1 ~ 'a' ~ none ~ true }}|{{ 'a' + 'b' }}|{{ [1] + [2] }}|{{ 'ab' * 3 }}|{{ 'x' 'y' }}", {}),
    ("membership_and_comparison", "{{ 'b' in 'abc' }} {{ 2 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 'z' not in 'abc' }} {{ 1 < 2 < 3 }} {{ 1 < 3 < 2 }} {{ 'a' < 'b' }} {{ 1 == 1.0 }} {{ [1, 2] == [1, 2] }} {{ none == none }} {{ 1 != 2 }} {{ 2 >= 2 }}", {}),
    ("boolean_operators", "{{ 0 or 'x' }} {{ 1 and 'y' }} {{ none or [] }} {{ not 0 }} {{ not (1 and 0) }} {{ '' and 'never' }}|", {}),
    ("attribute_and_item_access", "{{ msgs[0].content }} {{ msgs[0]['role'] }} {{ msgs[-1].content }} {{ msgs[0].missing }}|{{ msgs[0].missing is defined }} {{ msgs|length }}", {"msgs": [{"role": "system", "content": "S"}, {"role": "user", "content": "U"}]}),
    ("selectattr_and_map", "{{ msgs|selectattr('role', 'equalto', 'system')|list|length }} {{ msgs|rejectattr('role', 'equalto', 'system')|map(attribute='content')|join(',') }} {{ msgs|selectattr('tool')|list|length }} {{ ['a', 'b']|map('upper')|join }}", {"msgs": [{"role": "system", "content": "S"}, {"role": "user", "content": "U1", "tool": True}, {"role": "user", "content": "U2"}]}),
    ("dict_methods", "{{ {'a': 1}.get('a') }} {{ {'a': 1}.get('b', 'no') }} {{ {'a': 1}.get('b') }} {{ {'a': 1, 'b': 2}.keys()|list }} {{ {'a': 1, 'b': 2}.values()|list }}", {}),
    ("string_literal_escapes", "{{ 'a\\tb\\u00e9\\x41\\\\n' }}|{{ \"double 'quoted'\" }}|{{ 'single \"quoted\"' }}", {}),
    ("unicode_strip_and_split", "{{ '\u3000x\u00a0'.strip() }}|{{ 'a\u2003b'.split() }}", {}),
]

# Real templates on conversations the transformers reference file does not exercise (tools, reasoning).
TOOLS = [{"type": "function", "function": {"name": "get_weather", "description": "Weather at a place",
                                           "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]
CONVERSATIONS = [
    ("qwen3", "qwen3/tokenizer_config.json", [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Weather in Paris?"},
      {"role": "assistant", "content": "", "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris"}}}]},
      {"role": "tool", "content": "{\"temp\": 21}"}, {"role": "tool", "content": "sunny"}], True, {"tools": TOOLS}),
    ("qwen3_string_arguments", "qwen3/tokenizer_config.json", [{"role": "user", "content": "Hi"},
      {"role": "assistant", "content": "Checking.", "tool_calls": [{"name": "get_weather", "arguments": "{\"city\": \"Oslo\"}"}]},
      {"role": "tool", "content": "cold"}], False, {}),
    ("qwen3_reasoning_content", "qwen3/tokenizer_config.json", [{"role": "user", "content": "Q1"},
      {"role": "assistant", "content": "A1", "reasoning_content": "R1"}, {"role": "user", "content": "Q2"},
      {"role": "assistant", "content": "<think>\nR2\n</think>\n\nA2"}], False, {}),
    ("qwen3_no_thinking", "qwen3/tokenizer_config.json", [{"role": "user", "content": "Q"}], True, {"enable_thinking": False}),
    ("deepseek_v3_tools", "deepseek_v3/tokenizer_config.json", [{"role": "system", "content": "S1"}, {"role": "system", "content": "S2"},
      {"role": "user", "content": "Weather?"},
      {"role": "assistant", "content": None, "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}},
                                                             {"type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Rome\"}"}}]},
      {"role": "tool", "content": "21"}, {"role": "tool", "content": "25"}, {"role": "assistant", "content": "Warm."}], True, {}),
    ("r1_distill_tools", "deepseek_r1_distill_qwen/tokenizer_config.reconstructed.json", [{"role": "user", "content": "Q"},
      {"role": "assistant", "content": None, "tool_calls": [{"type": "function", "function": {"name": "f", "arguments": "{}"}}]},
      {"role": "tool", "content": "out"}], True, {}),
]


def special_tokens(config):
    tokens = {}
    for name in ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"]:
        value = config.get(name)
        if isinstance(value, dict):
            value = value.get("content")
        if isinstance(value, str):
            tokens[name] = value
    if isinstance(config.get("additional_special_tokens"), list):
        tokens["additional_special_tokens"] = [t["content"] if isinstance(t, dict) else t for t in config["additional_special_tokens"]]
    return tokens


def main():
    env = environment()
    rows = []
    for name, template, variables in FEATURES:
        text = env.from_string(template).render(**variables)
        rows.append({"name": name, "template": template, "variables": variables, "text": text})
    for name, config_file, messages, add_generation_prompt, extra in CONVERSATIONS:
        config = json.loads((DATA / config_file).read_text())
        variables = {"tools": None, "documents": None, **special_tokens(config), "messages": messages,
                     "add_generation_prompt": add_generation_prompt, **extra}
        text = env.from_string(config["chat_template"]).render(**variables)
        rows.append({"name": name, "config": config_file, "messages": messages,
                     "add_generation_prompt": add_generation_prompt, "variables": extra, "text": text})
    out = DATA / "reference/jinja_cases.jsonl"
    with out.open("w") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} cases to {out}")


if __name__ == "__main__":
    main()
