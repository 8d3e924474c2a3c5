package dev.jvlm.data;

import dev.jvlm.JvlmException;

/**
 * One sample cannot be used (a malformed record, a missing image, a conversation the template cannot
 * label). Readers and training loops skip such a sample and count it in a {@link SkipLog}; the message
 * names the sample's origin and what is wrong with it.
 */
public final class SampleException extends JvlmException {
    public SampleException(String message) {
        super(message);
    }

    public SampleException(String message, Throwable cause) {
        super(message, cause);
    }
}
