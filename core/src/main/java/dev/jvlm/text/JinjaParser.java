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
import dev.jvlm.text.JinjaLexer.Kind;
import dev.jvlm.text.JinjaLexer.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Recursive-descent parser for the jinja2 language, with jinja2's operator precedence (lowest
 * first): conditional expression, {@code or}, {@code and}, {@code not}, comparisons, {@code + -},
 * {@code ~}, {@code * / // %}, {@code **}, unary minus; filters and tests bind tighter than all of
 * them, so {@code 'a' + x | trim} is {@code 'a' + (x | trim)}.
 */
final class JinjaParser {

    private static final Set<String> COMPARISON_OPERATORS = Set.of("==", "!=", "<", ">", "<=", ">=");
    private static final Set<String> UNSUPPORTED_STATEMENTS = Set.of("include", "extends", "import", "from", "block", "call");

    private final List<Token> tokens;
    private int index;
    /** How many for loops enclose the statement being parsed (a macro body starts again at 0). */
    private int loopDepth;

    private JinjaParser(List<Token> tokens) {
        this.tokens = tokens;
    }

    static List<Node> parse(String template) {
        JinjaParser parser = new JinjaParser(JinjaLexer.tokenize(template));
        List<Node> body = new ArrayList<>();
        String end = parser.parseBody(body, List.of());
        if (end != null) {
            throw new ChatTemplateException(parser.previous().line(), "unexpected '" + end + "'");
        }
        return body;
    }

    private Token current() {
        return tokens.get(index);
    }

    private Token previous() {
        return tokens.get(Math.max(0, index - 1));
    }

    private Token peek(int ahead) {
        return tokens.get(Math.min(index + ahead, tokens.size() - 1));
    }

    private Token advance() {
        Token t = tokens.get(index);
        if (t.kind() != Kind.EOF) {
            index++;
        }
        return t;
    }

    private ChatTemplateException error(String message) {
        return new ChatTemplateException(current().line(), message);
    }

    private Token expectOperator(String op) {
        if (!current().isOperator(op)) {
            throw error("expected '" + op + "', got " + describe(current()));
        }
        return advance();
    }

    private String expectName() {
        if (current().kind() != Kind.NAME) {
            throw error("expected a name, got " + describe(current()));
        }
        return advance().text();
    }

    private void expectKeyword(String keyword) {
        if (!current().isName(keyword)) {
            throw error("expected '" + keyword + "', got " + describe(current()));
        }
        advance();
    }

    private void expectBlockEnd() {
        if (current().kind() != Kind.BLOCK_END) {
            throw error("expected end of statement '%}', got " + describe(current()));
        }
        advance();
    }

    private static String describe(Token t) {
        return switch (t.kind()) {
            case EOF -> "end of template";
            case BLOCK_END -> "'%}'";
            case VARIABLE_END -> "'}}'";
            case STRING -> "string " + PyStrings.repr(t.text());
            default -> "'" + t.text() + "'";
        };
    }

    /**
     * Parses nodes into {@code body} until a statement whose keyword is in {@code endKeywords}
     * (consumed, returned) or the end of the template (null).
     */
    private String parseBody(List<Node> body, List<String> endKeywords) {
        while (true) {
            Token t = current();
            switch (t.kind()) {
                case EOF -> {
                    if (!endKeywords.isEmpty()) {
                        throw error("unexpected end of template, expected one of " + endKeywords);
                    }
                    return null;
                }
                case TEXT -> {
                    body.add(new JinjaAst.Text(t.text()));
                    advance();
                }
                case VARIABLE_BEGIN -> {
                    advance();
                    body.add(new JinjaAst.Output(parseTuple(true)));
                    if (current().kind() != Kind.VARIABLE_END) {
                        throw error("expected end of print statement '}}', got " + describe(current()));
                    }
                    advance();
                }
                case BLOCK_BEGIN -> {
                    Token keyword = peek(1);
                    if (keyword.kind() == Kind.NAME && endKeywords.contains(keyword.text())) {
                        advance();
                        advance();
                        return keyword.text();
                    }
                    advance();
                    body.add(parseStatement());
                }
                default -> throw error("unexpected " + describe(t));
            }
        }
    }

    private Node parseStatement() {
        Token keyword = current();
        if (keyword.kind() != Kind.NAME) {
            throw error("expected a statement name, got " + describe(keyword));
        }
        advance();
        int line = keyword.line();
        return switch (keyword.text()) {
            case "if" -> parseIf();
            case "for" -> parseFor(line);
            case "set" -> parseSet(line);
            case "macro" -> parseMacro(line);
            case "filter" -> parseFilterBlock(line);
            case "with" -> parseWith();
            case "generation" -> {
                expectBlockEnd();
                List<Node> body = new ArrayList<>();
                parseBody(body, List.of("endgeneration"));
                expectBlockEnd();
                yield new JinjaAst.Group(body);
            }
            case "break", "continue" -> {
                if (loopDepth == 0) {
                    throw new ChatTemplateException(line, "'" + keyword.text() + "' outside of a loop");
                }
                expectBlockEnd();
                yield keyword.text().equals("break") ? new JinjaAst.Break(line) : new JinjaAst.Continue(line);
            }
            default -> {
                if (UNSUPPORTED_STATEMENTS.contains(keyword.text())) {
                    throw new ChatTemplateException(line, "the '" + keyword.text() + "' statement is not supported in chat templates");
                }
                throw new ChatTemplateException(line, "unknown statement '" + keyword.text() + "'");
            }
        };
    }

    private Node parseIf() {
        List<Expr> conditions = new ArrayList<>();
        List<List<Node>> bodies = new ArrayList<>();
        List<Node> otherwise = new ArrayList<>();
        conditions.add(parseTuple(false));
        expectBlockEnd();
        while (true) {
            List<Node> body = new ArrayList<>();
            String end = parseBody(body, List.of("elif", "else", "endif"));
            bodies.add(body);
            switch (end) {
                case "elif" -> {
                    conditions.add(parseTuple(false));
                    expectBlockEnd();
                }
                case "else" -> {
                    expectBlockEnd();
                    parseBody(otherwise, List.of("endif"));
                    expectBlockEnd();
                    return new JinjaAst.If(conditions, bodies, otherwise);
                }
                default -> {
                    expectBlockEnd();
                    return new JinjaAst.If(conditions, bodies, otherwise);
                }
            }
        }
    }

    private Node parseFor(int line) {
        List<String> targets = new ArrayList<>();
        targets.add(expectName());
        while (current().isOperator(",")) {
            advance();
            targets.add(expectName());
        }
        expectKeyword("in");
        // The iterable cannot be a conditional expression: a following "if" filters the loop.
        Expr iterable = parseOr();
        if (current().isOperator(",")) {
            List<Expr> items = new ArrayList<>(List.of(iterable));
            while (current().isOperator(",")) {
                advance();
                items.add(parseOr());
            }
            iterable = new TupleLiteral(items, iterable.line());
        }
        Expr condition = null;
        if (current().isName("if")) {
            advance();
            condition = parseExpression(true);
        }
        if (current().isName("recursive")) {
            throw error("recursive for loops are not supported in chat templates");
        }
        expectBlockEnd();
        List<Node> body = new ArrayList<>();
        List<Node> otherwise = new ArrayList<>();
        loopDepth++;
        String end = parseBody(body, List.of("else", "endfor"));
        loopDepth--;
        if (end.equals("else")) {
            expectBlockEnd();
            parseBody(otherwise, List.of("endfor"));
        }
        expectBlockEnd();
        return new JinjaAst.For(targets, iterable, condition, body, otherwise, line);
    }

    private Node parseSet(int line) {
        Expr target = parseAssignTarget();
        if (current().isOperator("=")) {
            advance();
            Expr value = parseTuple(true);
            expectBlockEnd();
            return new JinjaAst.Set(target, value, line);
        }
        if (!(target instanceof Name(String name, int _))) {
            throw error("a block assignment needs a plain name");
        }
        List<Filter> filters = new ArrayList<>();
        while (current().isOperator("|")) {
            advance();
            filters.add(parseFilter(null));
        }
        expectBlockEnd();
        List<Node> body = new ArrayList<>();
        parseBody(body, List.of("endset"));
        expectBlockEnd();
        return new JinjaAst.SetBlock(name, filters, body, line);
    }

    /** A name, {@code name.attribute} (namespace assignment) or a tuple of names. */
    private Expr parseAssignTarget() {
        int line = current().line();
        String name = expectName();
        if (current().isOperator(".")) {
            advance();
            return new Attribute(new Name(name, line), expectName(), line);
        }
        if (!current().isOperator(",")) {
            return new Name(name, line);
        }
        List<Expr> names = new ArrayList<>(List.of(new Name(name, line)));
        while (current().isOperator(",")) {
            advance();
            names.add(new Name(expectName(), line));
        }
        return new TupleLiteral(names, line);
    }

    private Node parseMacro(int line) {
        String name = expectName();
        expectOperator("(");
        List<String> parameters = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        while (!current().isOperator(")")) {
            if (!parameters.isEmpty()) {
                expectOperator(",");
            }
            parameters.add(expectName());
            if (current().isOperator("=")) {
                advance();
                defaults.add(parseExpression(true));
            } else if (!defaults.isEmpty()) {
                throw error("non-default argument follows default argument");
            }
        }
        advance();
        expectBlockEnd();
        List<Node> body = new ArrayList<>();
        int enclosingLoops = loopDepth;
        loopDepth = 0;
        parseBody(body, List.of("endmacro"));
        loopDepth = enclosingLoops;
        expectBlockEnd();
        return new JinjaAst.Macro(name, parameters, defaults, body, line);
    }

    private Node parseFilterBlock(int line) {
        List<Filter> filters = new ArrayList<>();
        filters.add(parseFilter(null));
        while (current().isOperator("|")) {
            advance();
            filters.add(parseFilter(null));
        }
        expectBlockEnd();
        List<Node> body = new ArrayList<>();
        parseBody(body, List.of("endfilter"));
        expectBlockEnd();
        return new JinjaAst.FilterBlock(filters, body, line);
    }

    private Node parseWith() {
        List<String> names = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (current().kind() != Kind.BLOCK_END) {
            if (!names.isEmpty()) {
                expectOperator(",");
            }
            names.add(expectName());
            expectOperator("=");
            values.add(parseExpression(true));
        }
        expectBlockEnd();
        List<Node> body = new ArrayList<>();
        parseBody(body, List.of("endwith"));
        expectBlockEnd();
        return new JinjaAst.With(names, values, body);
    }

    /** An expression, or several separated by commas as a tuple (jinja2's parse_tuple). */
    private Expr parseTuple(boolean allowConditional) {
        int line = current().line();
        Expr first = parseExpression(allowConditional);
        if (!current().isOperator(",")) {
            return first;
        }
        List<Expr> items = new ArrayList<>(List.of(first));
        while (current().isOperator(",")) {
            advance();
            if (!startsExpression(current())) {
                break;
            }
            items.add(parseExpression(allowConditional));
        }
        return new TupleLiteral(items, line);
    }

    private static boolean startsExpression(Token t) {
        return switch (t.kind()) {
            case NAME, STRING, INTEGER, FLOAT -> true;
            case OPERATOR -> t.text().equals("(") || t.text().equals("[") || t.text().equals("{") || t.text().equals("-")
                    || t.text().equals("+");
            default -> false;
        };
    }

    private Expr parseExpression(boolean allowConditional) {
        return allowConditional ? parseConditional() : parseOr();
    }

    private Expr parseConditional() {
        Expr expr = parseOr();
        while (current().isName("if")) {
            int line = current().line();
            advance();
            Expr test = parseOr();
            Expr otherwise = null;
            if (current().isName("else")) {
                advance();
                otherwise = parseConditional();
            }
            expr = new Conditional(test, expr, otherwise, line);
        }
        return expr;
    }

    private Expr parseOr() {
        Expr left = parseAnd();
        while (current().isName("or")) {
            int line = advance().line();
            left = new Binary("or", left, parseAnd(), line);
        }
        return left;
    }

    private Expr parseAnd() {
        Expr left = parseNot();
        while (current().isName("and")) {
            int line = advance().line();
            left = new Binary("and", left, parseNot(), line);
        }
        return left;
    }

    private Expr parseNot() {
        if (current().isName("not")) {
            int line = advance().line();
            return new Unary("not", parseNot(), line);
        }
        return parseCompare();
    }

    private Expr parseCompare() {
        int line = current().line();
        Expr first = parseMath1();
        List<String> operators = new ArrayList<>();
        List<Expr> operands = new ArrayList<>();
        while (true) {
            Token t = current();
            if (t.kind() == Kind.OPERATOR && COMPARISON_OPERATORS.contains(t.text())) {
                advance();
                operators.add(t.text());
            } else if (t.isName("in")) {
                advance();
                operators.add("in");
            } else if (t.isName("not") && peek(1).isName("in")) {
                advance();
                advance();
                operators.add("not in");
            } else {
                break;
            }
            operands.add(parseMath1());
        }
        return operators.isEmpty() ? first : new Compare(first, operators, operands, line);
    }

    private Expr parseMath1() {
        Expr left = parseConcat();
        while (current().isOperator("+") || current().isOperator("-")) {
            Token op = advance();
            left = new Binary(op.text(), left, parseConcat(), op.line());
        }
        return left;
    }

    private Expr parseConcat() {
        Expr left = parseMath2();
        while (current().isOperator("~")) {
            Token op = advance();
            left = new Binary("~", left, parseMath2(), op.line());
        }
        return left;
    }

    private Expr parseMath2() {
        Expr left = parsePow();
        while (current().isOperator("*") || current().isOperator("/") || current().isOperator("//") || current().isOperator("%")) {
            Token op = advance();
            left = new Binary(op.text(), left, parsePow(), op.line());
        }
        return left;
    }

    private Expr parsePow() {
        Expr left = parseUnary(true);
        while (current().isOperator("**")) {
            Token op = advance();
            left = new Binary("**", left, parseUnary(true), op.line());
        }
        return left;
    }

    private Expr parseUnary(boolean withFilters) {
        Token t = current();
        Expr expr;
        if (t.isOperator("-") || t.isOperator("+")) {
            advance();
            expr = new Unary(t.text(), parseUnary(false), t.line());
        } else {
            expr = parsePrimary();
        }
        expr = parsePostfix(expr);
        return withFilters ? parseFilterExpr(expr) : expr;
    }

    private Expr parsePrimary() {
        Token t = advance();
        int line = t.line();
        return switch (t.kind()) {
            case NAME -> switch (t.text()) {
                case "true", "True" -> new Literal(Boolean.TRUE, line);
                case "false", "False" -> new Literal(Boolean.FALSE, line);
                case "none", "None" -> new Literal(null, line);
                default -> new Name(t.text(), line);
            };
            case STRING -> {
                StringBuilder s = new StringBuilder(t.text());
                while (current().kind() == Kind.STRING) {
                    s.append(advance().text());
                }
                yield new Literal(s.toString(), line);
            }
            case INTEGER -> new Literal(parseInteger(t), line);
            case FLOAT -> new Literal(Double.parseDouble(t.text()), line);
            case OPERATOR -> switch (t.text()) {
                case "(" -> parseParenthesized(line);
                case "[" -> new ListLiteral(parseItems("]"), line);
                case "{" -> parseDict(line);
                default -> throw new ChatTemplateException(line, "unexpected '" + t.text() + "'");
            };
            default -> throw new ChatTemplateException(line, "unexpected " + describe(t));
        };
    }

    private static Object parseInteger(Token t) {
        try {
            return Long.parseLong(t.text());
        } catch (NumberFormatException e) {
            throw new ChatTemplateException(t.line(), "integer " + t.text() + " is too large");
        }
    }

    private Expr parseParenthesized(int line) {
        if (current().isOperator(")")) {
            advance();
            return new TupleLiteral(List.of(), line);
        }
        Expr first = parseExpression(true);
        if (current().isOperator(")")) {
            advance();
            return first;
        }
        List<Expr> items = new ArrayList<>(List.of(first));
        while (current().isOperator(",")) {
            advance();
            if (current().isOperator(")")) {
                break;
            }
            items.add(parseExpression(true));
        }
        expectOperator(")");
        return new TupleLiteral(items, line);
    }

    private List<Expr> parseItems(String close) {
        List<Expr> items = new ArrayList<>();
        while (!current().isOperator(close)) {
            if (!items.isEmpty()) {
                expectOperator(",");
                if (current().isOperator(close)) {
                    break;
                }
            }
            items.add(parseExpression(true));
        }
        advance();
        return items;
    }

    private Expr parseDict(int line) {
        List<Expr> keys = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (!current().isOperator("}")) {
            if (!keys.isEmpty()) {
                expectOperator(",");
                if (current().isOperator("}")) {
                    break;
                }
            }
            keys.add(parseExpression(true));
            expectOperator(":");
            values.add(parseExpression(true));
        }
        advance();
        return new DictLiteral(keys, values, line);
    }

    /** Attribute access, subscripts and calls after a primary expression. */
    private Expr parsePostfix(Expr expr) {
        while (true) {
            Token t = current();
            if (t.isOperator(".")) {
                advance();
                Token name = advance();
                if (name.kind() == Kind.NAME) {
                    expr = new Attribute(expr, name.text(), name.line());
                } else if (name.kind() == Kind.INTEGER) {
                    expr = new Item(expr, new Literal(parseInteger(name), name.line()), name.line());
                } else {
                    throw new ChatTemplateException(name.line(), "expected an attribute name after '.', got " + describe(name));
                }
            } else if (t.isOperator("[")) {
                advance();
                expr = parseSubscript(expr, t.line());
            } else if (t.isOperator("(")) {
                expr = parseCall(expr);
            } else {
                return expr;
            }
        }
    }

    private Expr parseSubscript(Expr target, int line) {
        Expr[] parts = new Expr[3];
        int part = 0;
        boolean isSlice = false;
        while (!current().isOperator("]")) {
            if (current().isOperator(":")) {
                advance();
                isSlice = true;
                part++;
                if (part > 2) {
                    throw error("too many ':' in slice");
                }
                continue;
            }
            if (parts[part] != null) {
                throw error("expected ']' or ':', got " + describe(current()));
            }
            parts[part] = parseExpression(true);
        }
        advance();
        if (isSlice) {
            return new Slice(target, parts[0], parts[1], parts[2], line);
        }
        if (parts[0] == null) {
            throw new ChatTemplateException(line, "empty subscript");
        }
        return new Item(target, parts[0], line);
    }

    private Call parseCall(Expr callee) {
        int line = expectOperator("(").line();
        List<Expr> args = new ArrayList<>();
        List<String> keywordNames = new ArrayList<>();
        List<Expr> keywordValues = new ArrayList<>();
        parseArguments(args, keywordNames, keywordValues);
        return new Call(callee, args, keywordNames, keywordValues, line);
    }

    /** Arguments up to and including ')': positional first, then {@code name=value}. */
    private void parseArguments(List<Expr> args, List<String> keywordNames, List<Expr> keywordValues) {
        while (!current().isOperator(")")) {
            if (!args.isEmpty() || !keywordNames.isEmpty()) {
                expectOperator(",");
                if (current().isOperator(")")) {
                    break;
                }
            }
            if (current().kind() == Kind.NAME && peek(1).isOperator("=")) {
                keywordNames.add(advance().text());
                advance();
                keywordValues.add(parseExpression(true));
            } else {
                if (!keywordNames.isEmpty()) {
                    throw error("positional argument follows keyword argument");
                }
                args.add(parseExpression(true));
            }
        }
        advance();
    }

    private Expr parseFilterExpr(Expr expr) {
        while (true) {
            if (current().isOperator("|")) {
                advance();
                expr = parseFilter(expr);
            } else if (current().isName("is")) {
                advance();
                expr = parseTest(expr);
            } else if (current().isOperator("(")) {
                expr = parseCall(expr);
            } else {
                return expr;
            }
        }
    }

    private Filter parseFilter(Expr target) {
        int line = current().line();
        String name = expectName();
        while (current().isOperator(".")) {
            advance();
            name = name + "." + expectName();
        }
        if (!JinjaFilters.exists(name)) {
            throw new ChatTemplateException(line, "no filter named '" + name + "'");
        }
        List<Expr> args = new ArrayList<>();
        List<String> keywordNames = new ArrayList<>();
        List<Expr> keywordValues = new ArrayList<>();
        if (current().isOperator("(")) {
            advance();
            parseArguments(args, keywordNames, keywordValues);
        }
        return new Filter(target, name, args, keywordNames, keywordValues, line);
    }

    private Test parseTest(Expr target) {
        int line = current().line();
        boolean negated = false;
        if (current().isName("not")) {
            advance();
            negated = true;
        }
        String name = expectName();
        if (!JinjaTests.exists(name)) {
            throw new ChatTemplateException(line, "no test named '" + name + "'");
        }
        List<Expr> args = new ArrayList<>();
        Token t = current();
        if (t.isOperator("(")) {
            advance();
            parseArguments(args, new ArrayList<>(), new ArrayList<>());
        } else if ((t.kind() == Kind.NAME || t.kind() == Kind.STRING || t.kind() == Kind.INTEGER || t.kind() == Kind.FLOAT
                || t.isOperator("[") || t.isOperator("{")) && !t.isName("else") && !t.isName("or") && !t.isName("and")) {
            if (t.isName("is")) {
                throw error("tests cannot be chained with 'is'");
            }
            // jinja2 takes one argument without parentheses: "x is divisibleby 3", "x is sameas false".
            args.add(parsePostfix(parsePrimary()));
        }
        return new Test(target, name, args, negated, line);
    }
}
