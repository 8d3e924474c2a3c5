package dev.jvlm.text;

import java.util.List;

/** The syntax tree of a parsed Jinja template: statements ({@link Node}) and expressions ({@link Expr}). */
final class JinjaAst {

    private JinjaAst() {
    }

    /** A template statement; bodies are lists of nodes. */
    sealed interface Node {
    }

    record Text(String text) implements Node {
    }

    record Output(Expr expr) implements Node {
    }

    /** {@code if/elif/else}: the first branch whose condition holds runs. */
    record If(List<Expr> conditions, List<List<Node>> bodies, List<Node> otherwise) implements Node {
    }

    /**
     * {@code for targets in iterable [if condition]}; {@code otherwise} runs when no item passed the
     * condition.
     */
    record For(List<String> targets, Expr iterable, Expr condition, List<Node> body, List<Node> otherwise, int line)
            implements Node {
    }

    /** {@code set target = value}; the target is a name, a tuple of names or {@code namespace.attribute}. */
    record Set(Expr target, Expr value, int line) implements Node {
    }

    /** {@code set name %}...{% endset}: the rendered body, through optional filters, becomes the value. */
    record SetBlock(String name, List<Filter> filters, List<Node> body, int line) implements Node {
    }

    record Macro(String name, List<String> parameters, List<Expr> defaults, List<Node> body, int line) implements Node {
    }

    /** {@code filter f %}...{% endfilter}: the rendered body through the filters. */
    record FilterBlock(List<Filter> filters, List<Node> body, int line) implements Node {
    }

    /** {@code with a = 1 %}...{% endwith}: the body in a new scope with these assignments. */
    record With(List<String> names, List<Expr> values, List<Node> body) implements Node {
    }

    /** Statements that only group their body (e.g. transformers' {@code generation} block). */
    record Group(List<Node> body) implements Node {
    }

    record Break(int line) implements Node {
    }

    record Continue(int line) implements Node {
    }

    /** An expression; {@code line} is where it starts in the template, for error messages. */
    sealed interface Expr {
        int line();
    }

    record Literal(Object value, int line) implements Expr {
    }

    record Name(String name, int line) implements Expr {
    }

    /** {@code target.name}. */
    record Attribute(Expr target, String name, int line) implements Expr {
    }

    /** {@code target[key]}. */
    record Item(Expr target, Expr key, int line) implements Expr {
    }

    /** {@code target[start:stop:step]}; absent parts are null. */
    record Slice(Expr target, Expr start, Expr stop, Expr step, int line) implements Expr {
    }

    record Call(Expr callee, List<Expr> args, List<String> keywordNames, List<Expr> keywordValues, int line)
            implements Expr {
    }

    /** {@code target | name(args)}; in a filter block the target is null (the body is filtered). */
    record Filter(Expr target, String name, List<Expr> args, List<String> keywordNames, List<Expr> keywordValues,
                  int line) implements Expr {
    }

    /** {@code target is [not] name(args)}. */
    record Test(Expr target, String name, List<Expr> args, boolean negated, int line) implements Expr {
    }

    /** {@code -x}, {@code +x} or {@code not x}. */
    record Unary(String operator, Expr operand, int line) implements Expr {
    }

    /** Arithmetic, {@code ~}, {@code and}, {@code or}. */
    record Binary(String operator, Expr left, Expr right, int line) implements Expr {
    }

    /** {@code a < b <= c}: comparisons chain as in Python. Operators include "in" and "not in". */
    record Compare(Expr first, List<String> operators, List<Expr> operands, int line) implements Expr {
    }

    /** {@code then if test else otherwise}; a missing else gives undefined. */
    record Conditional(Expr test, Expr then, Expr otherwise, int line) implements Expr {
    }

    record ListLiteral(List<Expr> items, int line) implements Expr {
    }

    record TupleLiteral(List<Expr> items, int line) implements Expr {
    }

    record DictLiteral(List<Expr> keys, List<Expr> values, int line) implements Expr {
    }
}
