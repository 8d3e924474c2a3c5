package dev.jvlm.text;

/**
 * A chat template that cannot be parsed or rendered: a syntax error, an error raised while
 * rendering (as Python's jinja2 would raise it), or the template's own {@code raise_exception}.
 * The message starts with the template line.
 */
public class ChatTemplateException extends RuntimeException {

    private final int line;

    public ChatTemplateException(int line, String message) {
        super("chat template line " + line + ": " + message);
        this.line = line;
    }

    /** 1-based line of the template where the error happened. */
    public int line() {
        return line;
    }
}
