package dev.jvlm;

/**
 * A failure caused by what the user gave jvlm (a file, a flag, a request), with a message that says
 * what was wrong, where, and what was expected. The CLI prints it as one line.
 */
public class JvlmException extends RuntimeException {
    public JvlmException(String message) {
        super(message);
    }

    public JvlmException(String message, Throwable cause) {
        super(message, cause);
    }
}
