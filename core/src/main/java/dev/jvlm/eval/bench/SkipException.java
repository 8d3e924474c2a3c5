package dev.jvlm.eval.bench;

/**
 * An item the run cannot evaluate (a malformed line, a missing field, an image that does not decode).
 * The runner counts it under its reason in the summary instead of scoring it, so no score is ever
 * computed over silently dropped items.
 */
final class SkipException extends RuntimeException {
    /** @param reason what is wrong, without the item's location (reasons are counted by their text) */
    SkipException(String reason) {
        super(reason);
    }

    SkipException(String reason, Throwable cause) {
        super(reason, cause);
    }

    String reason() {
        return getMessage();
    }
}
