package dev.jvlm.text;

/**
 * An error Python would raise while jinja2 evaluates a template (TypeError, ValueError,
 * UndefinedError, ...). The renderer turns it into a {@link ChatTemplateException} naming the line.
 */
final class PyException extends RuntimeException {

    private final String type;

    PyException(String type, String message) {
        super(message);
        this.type = type;
    }

    String type() {
        return type;
    }
}
