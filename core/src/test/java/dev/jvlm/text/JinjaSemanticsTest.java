package dev.jvlm.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Year;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The renderer against what Python's jinja2 (with transformers' settings: trim_blocks, lstrip_blocks,
 * its tojson) prints for the same template. Each expectation follows jinja2's documented
 * behaviour and Python's semantics.
 */
class JinjaSemanticsTest {

    private static String render(String template) {
        return ChatTemplate.of(template).render(List.of(), false);
    }

    private static String error(String template) {
        return assertThrows(ChatTemplateException.class, () -> render(template)).getMessage();
    }

    @Test
    void trimAndLstripBlocks() {
        assertEquals("  yes\n", render("{% if true %}\n  yes\n{% endif %}\n"));
        assertEquals("x", render("  {% if true %}x{% endif %}"));
        assertEquals("a  x", render("a  {% if true %}x{% endif %}"), "lstrip only when the tag is alone on its line");
        assertEquals("a\nb\n", render("a\n    {% if true %}\nb\n    {% endif %}\n"));
        assertEquals("a\nb", render("a\n  {# note #}\nb"), "comments are stripped and trimmed like blocks");
        assertEquals("a\nb", render("{{ 'a' }}\nb"), "no trimming after a variable");
    }

    @Test
    void explicitWhitespaceControl() {
        assertEquals("ab", render("{{ 'a' }}  \n  {{- 'b' }}"));
        assertEquals("x", render("{%- if true -%}  x  {%- endif %}"));
        assertEquals("  x", render("  {%+ if true %}x{% endif %}"), "+ keeps the indentation");
        assertEquals("\nx", render("{% if true +%}\nx{% endif %}"), "+ keeps the newline");
        assertEquals("a b", render("{{ 'a' -}}\n\n {{ ' b' }}"));
    }

    @Test
    void oneTrailingNewlineIsDropped() {
        assertEquals("x", render("x\n"));
        assertEquals("x\n", render("x\n\n"));
        assertEquals("a\nb", render("a\r\nb"), "newlines are normalized to \\n");
    }

    @Test
    void rawBlocks() {
        assertEquals("{{ x }}{% if %}", render("{% raw %}{{ x }}{% if %}{% endraw %}"));
    }

    @Test
    void setInsideALoopDoesNotLeaveTheIteration() {
        assertEquals("123|0", render("{% set n = 0 %}{% for i in [1, 2, 3] %}{% set n = n + i %}{{ n }}{% endfor %}|{{ n }}"));
        assertEquals("6", render("{% set ns = namespace(n=0) %}{% for i in [1, 2, 3] %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}"));
        assertEquals("1", render("{% if true %}{% set x = 1 %}{% endif %}{{ x }}"), "if blocks do not open a scope");
    }

    @Test
    void loopVariables() {
        assertEquals("103TrueFalse3;212FalseFalse3;321FalseTrue3;",
                render("{% for x in ['a', 'b', 'c'] %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.first }}"
                        + "{{ loop.last }}{{ loop.length }};{% endfor %}"));
        assertEquals("FalseaTruebTruea", render("{% for x in [1, 2, 3] %}{{ loop.previtem is defined }}{{ loop.cycle('a', 'b') }}{% endfor %}"));
        assertEquals("none", render("{% for m in [1, 2, 3] if m > 5 %}{{ m }}{% else %}none{% endfor %}"));
        assertEquals("1:2 2:4 ", render("{% for m in [1, 2, 3, 4] if m is even %}{{ loop.index }}:{{ m }} {% endfor %}"));
        assertEquals("02", render("{% for i in range(10) %}{% if i == 3 %}{% break %}{% endif %}"
                + "{% if i is odd %}{% continue %}{% endif %}{{ i }}{% endfor %}"));
        assertEquals("a=1,b=2,", render("{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }},{% endfor %}"));
        assertEquals("ab", render("{% for k in {'a': 1, 'b': 2} %}{{ k }}{% endfor %}"), "a dict iterates its keys");
        assertEquals("[h][é][😀]", render("{% for c in 'hé😀' %}[{{ c }}]{% endfor %}"), "a string iterates its characters");
    }

    @Test
    void arithmeticAndComparisons() {
        assertEquals("3 -4 2 3.5 8 True abab 2", render("{{ 7 // 2 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 7 / 2 }} {{ 2 ** 3 }} "
                + "{{ 1 == 1.0 }} {{ 'ab' * 2 }} {{ 1 + true }}"));
        assertEquals("True True True True", render("{{ 'b' in 'abc' }} {{ 2 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 'x' not in 'abc' }}"));
        assertEquals("True False", render("{{ 1 < 2 < 3 }} {{ 1 < 3 < 2 }}"));
        assertEquals("x b []", render("{{ 0 or 'x' }} {{ 'a' and 'b' }} {{ none or [] }}"));
        assertEquals("|n", render("{{ 'y' if false }}|{{ 'y' if 0 else 'n' }}"));
        assertEquals("1Nonex", render("{{ 1 ~ none ~ undefined_var ~ 'x' }}"));
        assertEquals("True", render("{{ 'abc' < 'abd' }}"));
    }

    @Test
    void slicingCountsCodePoints() {
        assertEquals("[4, 3, 2, 1] bcd ef [] b😀a 3", render("{{ [1, 2, 3, 4][::-1] }} {{ 'abcdef'[1:4] }} {{ 'abcdef'[-2:] }} "
                + "{{ [1, 2, 3][5:] }} {{ 'a😀b'[::-1] }} {{ 'a😀b' | length }}"));
        assertEquals("c 😀", render("{{ 'abc'[-1] }} {{ 'a😀b'[1] }}"));
    }

    @Test
    void valuesPrintAsPythonStrPrintsThem() {
        assertEquals("None True 3.0 2.5e-05 1e+16 123456789.0 0.30000000000000004",
                render("{{ none }} {{ true }} {{ 3.0 }} {{ 2.5e-5 }} {{ 1e16 }} {{ 123456789.0 }} {{ 0.1 + 0.2 }}"));
        assertEquals("{'a': [1, 'x', None, True]} [\"it's\"] (1,) (1, 2)",
                render("{{ {'a': [1, 'x', none, true]} }} {{ [\"it's\"] }} {{ (1,) }} {{ (1, 2) }}"));
        assertEquals("['a\\nb']", render("{{ ['a\\nb'] }}"));
    }

    @Test
    void stringMethods() {
        assertEquals("x|x  |xxa", render("{{ '\\n\\nx\\n'.strip('\\n') }}|{{ '  x  '.lstrip() }}|{{ 'xxay'.rstrip('y') }}"));
        assertEquals("['a', 'b,c'] ['a', 'b'] ['a', 'b'] ['a,b', 'c']",
                render("{{ 'a,b,c'.split(',', 1) }} {{ 'a b'.split(' ') }} {{ ' a  b '.split() }} {{ 'a,b,c'.rsplit(',', 1) }}"));
        assertEquals("True True 2 heLlo ['a', 'b', 'c']", render("{{ 'hello'.startswith(('x', 'he')) }} {{ 'hello'.endswith('lo') }} "
                + "{{ 'hello'.find('l') }} {{ 'hello'.replace('l', 'L', 1) }} {{ 'a\\nb\\r\\nc'.splitlines() }}"));
        assertEquals("HIhiSTRASSE It'S A-B", render("{{ 'Hi'.upper() }}{{ 'Hi'.lower() }}{{ 'straße'.upper() }} {{ \"it's a-b\".title() }}"));
        assertEquals("1 is x", render("{{ '{} is {name}'.format(1, name='x') }}"));
    }

    @Test
    void dictMethodsAndAttributeLookup() {
        assertEquals("1 None 2 ['a']", render("{{ {'a': 1}.get('a') }} {{ {'a': 1}.get('b') }} {{ {'a': 1}.get('b', 2) }} "
                + "{{ {'a': 1}.keys() | list }}"));
        // obj.name prefers the attribute (the items method), obj['name'] the item.
        assertEquals("mine [('items', 'mine')]", render("{% set d = {'items': 'mine'} %}{{ d['items'] }} {{ d.items() | list }}"));
        assertEquals("x", render("{% set d = {'role': 'x'} %}{{ d.role }}"));
    }

    @Test
    void filters() {
        assertEquals("a, b 12 x-y", render("{{ ['a', 'b'] | join(', ') }} {{ [1, 2] | join }} "
                + "{{ [{'n': 'x'}, {'n': 'y'}] | map(attribute='n') | join('-') }}"));
        assertEquals("1 user [1, 3]", render("{% set m = [{'r': 'user'}, {'r': 'sys'}] %}"
                + "{{ m | selectattr('r', 'equalto', 'sys') | list | length }} "
                + "{{ m | rejectattr('r', 'equalto', 'sys') | map(attribute='r') | first }} {{ [1, 2, 3, 4] | select('odd') | list }}"));
        assertEquals("x|x", render("{{ '  x  ' | trim }}|{{ '--x--' | trim('-') }}"));
        assertEquals("d  d 0", render("{{ undefined_var | default('d') }} {{ '' | default('d') }} {{ '' | default('d', true) }} "
                + "{{ undefined_var | length }}"));
        assertEquals("[('a', 2), ('b', 1)]", render("{{ {'b': 1, 'a': 2} | dictsort }}"));
        assertEquals("[1, 2, 3] ['A', 'b', 'c'] [1, 2] [1, 2, 'a']", render("{{ [3, 1, 2] | sort }} {{ ['b', 'A', 'c'] | sort }} "
                + "{{ [{'x': 2}, {'x': 1}] | sort(attribute='x') | map(attribute='x') | list }} {{ [1, 2, 1, 'a', 'A'] | unique | list }}"));
        assertEquals("2.0 4.0 2.67 3.0 5", render("{{ 2.5 | round }} {{ 3.5 | round }} {{ 2.675 | round(2) }} "
                + "{{ 2.1 | round(0, 'ceil') }} {{ 5 | round }}"));
        assertEquals("43 0 3.7 3", render("{{ '42' | int + 1 }} {{ 'x' | int }} {{ '3.7' | float }} {{ 3.9 | int }}"));
        assertEquals("Hello World It's A-B Hello", render("{{ 'hello world' | title }} {{ \"it's a-b\" | title }} {{ 'hELLO' | capitalize }}"));
        assertEquals("a\n  b|  a\n  b", render("{{ 'a\\nb' | indent(2) }}|{{ 'a\\nb' | indent(2, true) }}"));
        assertEquals("[('a', 1)] 6 5 1 [[1, 2], [3, 4], [5]] 3", render("{{ {'a': 1} | items | list }} {{ [1, 2, 3] | sum }} "
                + "{{ [1, 5, 3] | max }} {{ [1, 5, 3] | min }} {{ [1, 2, 3, 4, 5] | batch(2) | list }} {{ 'a b  c' | wordcount }}"));
        assertEquals("x-007 3.14 y bba [2, 1] cba A&amp;B&lt;c&gt;", render("{{ '%s-%03d' | format('x', 7) }} {{ '%.2f' % 3.14159 }} "
                + "{{ 'x' | replace('x', 'y') }} {{ 'aaa' | replace('a', 'b', 2) }} {{ [1, 2] | reverse | list }} {{ 'abc' | reverse }} "
                + "{{ 'A&B<c>' | e }}"));
    }

    @Test
    void tojsonIsPythonJsonDumpsWithoutAsciiEscapes() {
        assertEquals("{\"name\": \"é\", \"n\": 1.5, \"ok\": true, \"none\": null, \"l\": [1, \"a\"]}",
                render("{{ {'name': 'é', 'n': 1.5, 'ok': true, 'none': none, 'l': [1, 'a']} | tojson }}"));
        assertEquals("{\n  \"a\": {\n    \"b\": [\n      1,\n      2\n    ]\n  },\n  \"c\": []\n}",
                render("{{ {'a': {'b': [1, 2]}, 'c': []} | tojson(indent=2) }}"));
        assertEquals("\"line\\n\\\"q\\\"\\t\\u0001\"", render("{{ 'line\\n\"q\"\\t\\x01' | tojson }}"));
        assertEquals("{\"a\": 2, \"b\": 1} \"\\u00e9\"", render("{{ {'b': 1, 'a': 2} | tojson(sort_keys=true) }} {{ 'é' | tojson(ensure_ascii=true) }}"));
    }

    @Test
    void tests() {
        assertEquals("True True True True False True True True True True True True True True",
                render("{{ none is none }} {{ 1 is number }} {{ true is number }} {{ 1 is integer }} {{ true is integer }} "
                        + "{{ 'x' is string }} {{ [1] is iterable }} {{ undefined_var is iterable }} {{ {} is mapping }} "
                        + "{{ 6 is divisibleby 3 }} {{ 3 is odd }} {{ false is sameas false }} {{ 'a' is in 'abc' }} {{ 'A' is upper }}"));
        assertEquals("True False", render("{{ x is not defined }} {{ 1 is not number }}"));
    }

    @Test
    void macrosBlocksAndGroups() {
        assertEquals("Hi Bob! Hi Al?", render("{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}"
                + "{{ greet('Bob') }} {{ greet('Al', punct='?') }}"));
        assertEquals("ABC HI 2False x", render("{% set x | upper %}abc{% endset %}{{ x }} {% filter upper %}hi{% endfilter %} "
                + "{% with a = 2 %}{{ a }}{% endwith %}{{ a is defined }} {% generation %}x{% endgeneration %}"));
    }

    @Test
    void transformersVariablesAndFunctions() {
        ChatTemplate t = ChatTemplate.of("{{ tools is none }} {{ documents is defined }} {{ bos_token }} {{ flag }} "
                + "{{ strftime_now('%Y') }} {{ add_generation_prompt }} {{ messages | length }}", Map.of("bos_token", "<s>"));
        assertEquals("True True <s> False " + Year.now().getValue() + " True 1",
                t.render(List.of(Map.of("role", "user", "content", "x")), true, Map.of("flag", false)));
    }

    @Test
    void errorsNameTheLineAndWhatPythonWouldRaise() {
        assertEquals("chat template line 2: UndefinedError: 'x' is undefined", error("ok\n{{ x.y }}"));
        assertEquals("chat template line 1: TypeError: can only concatenate str (not \"int\") to str", error("{{ 'a' + 1 }}"));
        assertEquals("chat template line 1: SecurityError: access to attribute 'append' of 'list' object is unsafe.",
                error("{{ [1].append(2) }}"));
        assertEquals("chat template line 1: UndefinedError: 'str object' has no attribute 'text'",
                error("{{ 'Y'['text'] + '\\n' }}"));
        assertEquals("chat template line 3: no filter named 'nope'", error("a\nb\n{{ x | nope }}"));
        assertEquals("chat template line 1: 'break' outside of a loop", error("{% break %}"));
        assertEquals("chat template line 1: TypeError: 'NoneType' object is not iterable", error("{% for x in none %}{% endfor %}"));
        assertEquals("chat template line 2: Roles must alternate", error("{% if true %}\n{{ raise_exception('Roles must alternate') }}{% endif %}"));
        assertEquals("chat template line 1: unexpected end of template, expected one of [elif, else, endif]", error("{% if x %}"));
        assertEquals("chat template line 1: the 'include' statement is not supported in chat templates", error("{% include 'x' %}"));
        assertEquals("chat template line 1: TypeError: macro 'm' takes no keyword argument 'y'",
                error("{% macro m(x) %}{{ x }}{% endmacro %}{{ m(1, y=2) }}"));
    }
}
