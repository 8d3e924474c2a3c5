package dev.jvlm.eval;

import java.util.Optional;

/** An item that the metric cannot score: a missing or mistyped field, or a value the toolkit would reject. */
public final class BadItemException extends RuntimeException {

    private final String field;

    BadItemException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The offending input field, e.g. {@code references} or {@code choices_per_rotation[2]}; empty for the item as a whole. */
    public Optional<String> field() {
        return Optional.ofNullable(field);
    }
}
