package dev.jvlm.text;

import dev.jvlm.JvlmException;

/**
 * A chat template that cannot be found, parsed or rendered: a missing template, a syntax error,
 * an error raised while rendering (as Python's jinja2 would raise it), or the template's own
 * {@code raise_exception}. Errors in the template start their message with the template line.
 */
public class ChatTemplateException extends JvlmException {

    private final int line;

    public ChatTemplateException(int line, String message) {
        super("chat template line " + line + ": " + message);
        this.line = line;
    }

    /** An error that is not about a template line, e.g. a model directory without a template. */
    public ChatTemplateException(String message) {
        super(message);
        this.line = 0;
    }

    /** 1-based line of the template where the error happened, or 0 when it is not about a line. */
    public int line() {
        return line;
    }
}
