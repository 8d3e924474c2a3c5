package dev.jvlm.text;

import dev.jvlm.text.JinjaAst.Attribute;
import dev.jvlm.text.JinjaAst.Binary;
import dev.jvlm.text.JinjaAst.Call;
import dev.jvlm.text.JinjaAst.Compare;
import dev.jvlm.text.JinjaAst.Conditional;
import dev.jvlm.text.JinjaAst.DictLiteral;
import dev.jvlm.text.JinjaAst.Expr;
import dev.jvlm.text.JinjaAst.Filter;
import dev.jvlm.text.JinjaAst.Item;
import dev.jvlm.text.JinjaAst.ListLiteral;
import dev.jvlm.text.JinjaAst.Literal;
import dev.jvlm.text.JinjaAst.Name;
import dev.jvlm.text.JinjaAst.Node;
import dev.jvlm.text.JinjaAst.Slice;
import dev.jvlm.text.JinjaAst.Test;
import dev.jvlm.text.JinjaAst.TupleLiteral;
import dev.jvlm.text.JinjaAst.Unary;
import dev.jvlm.text.PyValues.Function;
import dev.jvlm.text.PyValues.Namespace;
import dev.jvlm.text.PyValues.Tuple;
import dev.jvlm.text.PyValues.Undefined;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates a parsed template with jinja2's semantics: Python values and operators, undefined
 * values that only fail when used, and jinja2's scoping (a for loop's body runs in a fresh scope
 * per iteration, so {@code set} inside a loop is not seen after it; namespaces carry state out).
 */
final class JinjaRenderer {

    /** How a statement list finished: normally, or through {@code break}/{@code continue}. */
    private enum Flow { NORMAL, BREAK, CONTINUE }

    /** Variables of one scope; lookups fall back to the enclosing scope. */
    private static final class Scope {
        private final Scope parent;
        private final Map<String, Object> variables = new HashMap<>();

        Scope(Scope parent) {
            this.parent = parent;
        }

        Object lookup(String name) {
            for (Scope s = this; s != null; s = s.parent) {
                if (s.variables.containsKey(name)) {
                    return s.variables.get(name);
                }
            }
            return Undefined.named(name);
        }

        void set(String name, Object value) {
            variables.put(name, value);
        }
    }

    /** jinja2's {@code loop} variable. */
    static final class Loop {
        private final int index0;
        private final List<Object> items;

        Loop(int index0, List<Object> items) {
            this.index0 = index0;
            this.items = items;
        }

        Object attribute(String name) {
            int length = items.size();
            return switch (name) {
                case "index" -> (long) index0 + 1;
                case "index0" -> (long) index0;
                case "revindex" -> (long) (length - index0);
                case "revindex0" -> (long) (length - index0 - 1);
                case "first" -> index0 == 0;
                case "last" -> index0 == length - 1;
                case "length" -> (long) length;
                case "depth" -> 1L;
                case "depth0" -> 0L;
                case "previtem" -> index0 > 0 ? items.get(index0 - 1)
                        : new Undefined("there is no previous item", "UndefinedError");
                case "nextitem" -> index0 < length - 1 ? items.get(index0 + 1)
                        : new Undefined("there is no next item", "UndefinedError");
                case "cycle" -> (Function) (args, kwargs) -> {
                    if (args.isEmpty()) {
                        throw new PyException("TypeError", "no items for cycling given");
                    }
                    return args.get(index0 % args.size());
                };
                default -> PyValues.MISSING;
            };
        }
    }

    private final List<Node> template;

    JinjaRenderer(List<Node> template) {
        this.template = template;
    }

    String render(Map<String, Object> variables) {
        Scope globals = new Scope(null);
        JinjaGlobals.install(globals::set);
        Scope root = new Scope(globals);
        variables.forEach((k, v) -> root.set(k, PyValues.fromJava(v)));
        StringBuilder out = new StringBuilder();
        // The parser rejects break and continue outside loops, so the template always ends normally.
        execute(template, root, out);
        return out.toString();
    }

    private Flow execute(List<Node> nodes, Scope scope, StringBuilder out) {
        for (Node node : nodes) {
            Flow flow = execute(node, scope, out);
            if (flow != Flow.NORMAL) {
                return flow;
            }
        }
        return Flow.NORMAL;
    }

    private Flow execute(Node node, Scope scope, StringBuilder out) {
        switch (node) {
            case JinjaAst.Text(String text) -> out.append(text);
            case JinjaAst.Output(Expr expr) -> out.append(PyValues.str(evaluate(expr, scope)));
            case JinjaAst.If(List<Expr> conditions, List<List<Node>> bodies, List<Node> otherwise) -> {
                for (int i = 0; i < conditions.size(); i++) {
                    if (truthy(conditions.get(i), scope)) {
                        return execute(bodies.get(i), scope, out);
                    }
                }
                return execute(otherwise, scope, out);
            }
            case JinjaAst.For loop -> {
                return executeFor(loop, scope, out);
            }
            case JinjaAst.Set(Expr target, Expr value, int line) -> assign(target, evaluate(value, scope), scope, line);
            case JinjaAst.SetBlock(String name, List<Filter> filters, List<Node> body, int line) -> {
                StringBuilder captured = new StringBuilder();
                execute(body, scope, captured);
                scope.set(name, applyFilters(filters, captured.toString(), scope));
            }
            case JinjaAst.Macro macro -> scope.set(macro.name(), macroFunction(macro, scope));
            case JinjaAst.FilterBlock(List<Filter> filters, List<Node> body, int line) -> {
                StringBuilder captured = new StringBuilder();
                execute(body, scope, captured);
                out.append(PyValues.str(applyFilters(filters, captured.toString(), scope)));
            }
            case JinjaAst.With(List<String> names, List<Expr> values, List<Node> body) -> {
                Scope inner = new Scope(scope);
                for (int i = 0; i < names.size(); i++) {
                    inner.set(names.get(i), evaluate(values.get(i), scope));
                }
                return execute(body, inner, out);
            }
            case JinjaAst.Group(List<Node> body) -> {
                return execute(body, scope, out);
            }
            case JinjaAst.Break _ -> {
                return Flow.BREAK;
            }
            case JinjaAst.Continue _ -> {
                return Flow.CONTINUE;
            }
        }
        return Flow.NORMAL;
    }

    private Flow executeFor(JinjaAst.For loop, Scope scope, StringBuilder out) {
        List<Object> items = guarded(loop.line(), () -> PyValues.iterate(evaluate(loop.iterable(), scope)));
        if (loop.condition() != null) {
            List<Object> kept = new ArrayList<>();
            for (Object item : items) {
                Scope probe = new Scope(scope);
                bindTargets(loop.targets(), item, probe, loop.line());
                if (truthy(loop.condition(), probe)) {
                    kept.add(item);
                }
            }
            items = kept;
        }
        for (int i = 0; i < items.size(); i++) {
            Scope iteration = new Scope(scope);
            bindTargets(loop.targets(), items.get(i), iteration, loop.line());
            iteration.set("loop", new Loop(i, items));
            if (execute(loop.body(), iteration, out) == Flow.BREAK) {
                break;
            }
        }
        if (items.isEmpty()) {
            return execute(loop.otherwise(), scope, out);
        }
        return Flow.NORMAL;
    }

    private void bindTargets(List<String> targets, Object item, Scope scope, int line) {
        if (targets.size() == 1) {
            scope.set(targets.getFirst(), item);
            return;
        }
        List<Object> values = guarded(line, () -> PyValues.iterate(item));
        if (values.size() != targets.size()) {
            throw new ChatTemplateException(line, "ValueError: cannot unpack " + values.size() + " values into "
                    + targets.size() + " names");
        }
        for (int i = 0; i < targets.size(); i++) {
            scope.set(targets.get(i), values.get(i));
        }
    }

    private void assign(Expr target, Object value, Scope scope, int line) {
        switch (target) {
            case Name(String name, int _) -> scope.set(name, value);
            case Attribute(Expr owner, String attribute, int _) -> {
                Object namespace = evaluate(owner, scope);
                if (!(namespace instanceof Namespace ns)) {
                    throw new ChatTemplateException(line, "cannot assign attribute on non-namespace object");
                }
                ns.attributes.put(attribute, value);
            }
            case TupleLiteral(List<Expr> names, int _) -> {
                List<Object> values = guarded(line, () -> PyValues.iterate(value));
                if (values.size() != names.size()) {
                    throw new ChatTemplateException(line, "ValueError: cannot unpack " + values.size() + " values into "
                            + names.size() + " names");
                }
                for (int i = 0; i < names.size(); i++) {
                    assign(names.get(i), values.get(i), scope, line);
                }
            }
            default -> throw new ChatTemplateException(line, "cannot assign to this expression");
        }
    }

    private Function macroFunction(JinjaAst.Macro macro, Scope definition) {
        return (args, kwargs) -> {
            Scope call = new Scope(definition);
            List<String> parameters = macro.parameters();
            if (args.size() > parameters.size()) {
                throw new PyException("TypeError", "macro '" + macro.name() + "' takes not more than " + parameters.size()
                        + " argument(s)");
            }
            for (String keyword : kwargs.keySet()) {
                if (!parameters.contains(keyword)) {
                    throw new PyException("TypeError", "macro '" + macro.name() + "' takes no keyword argument '" + keyword + "'");
                }
            }
            int firstDefault = parameters.size() - macro.defaults().size();
            for (int i = 0; i < parameters.size(); i++) {
                String p = parameters.get(i);
                if (i < args.size()) {
                    call.set(p, args.get(i));
                } else if (kwargs.containsKey(p)) {
                    call.set(p, kwargs.get(p));
                } else if (i >= firstDefault) {
                    call.set(p, evaluate(macro.defaults().get(i - firstDefault), call));
                } else {
                    call.set(p, new Undefined("parameter " + PyStrings.repr(p) + " was not provided", "UndefinedError"));
                }
            }
            StringBuilder out = new StringBuilder();
            execute(macro.body(), call, out);
            return out.toString();
        };
    }

    private Object applyFilters(List<Filter> filters, Object value, Scope scope) {
        Object current = value;
        for (Filter f : filters) {
            Object input = current;
            List<Object> args = evaluateAll(f.args(), scope);
            Map<String, Object> kwargs = evaluateKeywords(f.keywordNames(), f.keywordValues(), scope);
            current = guarded(f.line(), () -> JinjaFilters.apply(f.name(), input, args, kwargs));
        }
        return current;
    }

    private boolean truthy(Expr expr, Scope scope) {
        return PyValues.truthy(evaluate(expr, scope));
    }

    /** Runs {@code action}, turning Python-level errors into template errors at {@code line}. */
    private static <T> T guarded(int line, java.util.function.Supplier<T> action) {
        try {
            return action.get();
        } catch (PyException e) {
            String message = e.type().equals("TemplateError") ? e.getMessage() : e.type() + ": " + e.getMessage();
            throw new ChatTemplateException(line, message);
        }
    }

    private Object evaluate(Expr expr, Scope scope) {
        return guarded(expr.line(), () -> evaluateUnguarded(expr, scope));
    }

    private Object evaluateUnguarded(Expr expr, Scope scope) {
        return switch (expr) {
            case Literal(Object value, int _) -> value;
            case Name(String name, int _) -> scope.lookup(name);
            case Attribute(Expr target, String name, int _) -> PyValues.getAttribute(evaluate(target, scope), name);
            case Item(Expr target, Expr key, int _) -> PyValues.getItem(evaluate(target, scope), evaluate(key, scope));
            case Slice(Expr target, Expr start, Expr stop, Expr step, int _) -> PyValues.slice(evaluate(target, scope),
                    start == null ? null : evaluate(start, scope), stop == null ? null : evaluate(stop, scope),
                    step == null ? null : evaluate(step, scope));
            case Call call -> {
                Object callee = evaluate(call.callee(), scope);
                List<Object> args = evaluateAll(call.args(), scope);
                Map<String, Object> kwargs = evaluateKeywords(call.keywordNames(), call.keywordValues(), scope);
                yield switch (callee) {
                    case Function f -> f.call(args, kwargs);
                    case Undefined u -> throw u.error();
                    default -> throw new PyException("TypeError", "'" + PyValues.typeName(callee) + "' object is not callable");
                };
            }
            case Filter f -> applyFilters(List.of(f), evaluate(f.target(), scope), scope);
            case Test(Expr target, String name, List<Expr> args, boolean negated, int _) ->
                    JinjaTests.apply(name, evaluate(target, scope), evaluateAll(args, scope)) != negated;
            case Unary(String operator, Expr operand, int _) -> unary(operator, evaluate(operand, scope));
            case Binary(String operator, Expr left, Expr right, int _) -> switch (operator) {
                case "and" -> {
                    Object l = evaluate(left, scope);
                    yield PyValues.truthy(l) ? evaluate(right, scope) : l;
                }
                case "or" -> {
                    Object l = evaluate(left, scope);
                    yield PyValues.truthy(l) ? l : evaluate(right, scope);
                }
                default -> PyValues.binary(operator, evaluate(left, scope), evaluate(right, scope));
            };
            case Compare compare -> compare(compare, scope);
            case Conditional(Expr test, Expr then, Expr otherwise, int line) -> {
                if (truthy(test, scope)) {
                    yield evaluate(then, scope);
                }
                yield otherwise == null
                        ? new Undefined("the inline if-expression on line " + line
                        + " evaluated to false and no else section was defined.", "UndefinedError")
                        : evaluate(otherwise, scope);
            }
            case ListLiteral(List<Expr> items, int _) -> evaluateAll(items, scope);
            case TupleLiteral(List<Expr> items, int _) -> new Tuple(evaluateAll(items, scope));
            case DictLiteral(List<Expr> keys, List<Expr> values, int _) -> {
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < keys.size(); i++) {
                    map.put(evaluate(keys.get(i), scope), evaluate(values.get(i), scope));
                }
                yield map;
            }
        };
    }

    private static Object unary(String operator, Object value) {
        if (operator.equals("not")) {
            return !PyValues.truthy(value);
        }
        if (value instanceof Undefined u) {
            throw u.error();
        }
        if (!PyValues.isNumber(value)) {
            throw new PyException("TypeError", "bad operand type for unary " + operator + ": '" + PyValues.typeName(value) + "'");
        }
        if (operator.equals("+")) {
            return value instanceof Boolean ? (Object) PyValues.asLong(value) : value;
        }
        return value instanceof Double d ? (Object) (-d) : (Object) Math.negateExact(PyValues.asLong(value));
    }

    private Object compare(Compare compare, Scope scope) {
        Object left = evaluate(compare.first(), scope);
        for (int i = 0; i < compare.operators().size(); i++) {
            Object right = evaluate(compare.operands().get(i), scope);
            String op = compare.operators().get(i);
            boolean holds = switch (op) {
                case "==" -> PyValues.eq(left, right);
                case "!=" -> !PyValues.eq(left, right);
                case "<" -> PyValues.compare(left, right, op) < 0;
                case "<=" -> PyValues.compare(left, right, op) <= 0;
                case ">" -> PyValues.compare(left, right, op) > 0;
                case ">=" -> PyValues.compare(left, right, op) >= 0;
                case "in" -> PyValues.contains(right, left);
                case "not in" -> !PyValues.contains(right, left);
                default -> throw new PyException("TypeError", "unknown comparison " + op);
            };
            if (!holds) {
                return false;
            }
            left = right;
        }
        return true;
    }

    private List<Object> evaluateAll(List<Expr> exprs, Scope scope) {
        List<Object> out = new ArrayList<>(exprs.size());
        for (Expr e : exprs) {
            out.add(evaluate(e, scope));
        }
        return out;
    }

    private Map<String, Object> evaluateKeywords(List<String> names, List<Expr> values, Scope scope) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            out.put(names.get(i), evaluate(values.get(i), scope));
        }
        return out;
    }
}
