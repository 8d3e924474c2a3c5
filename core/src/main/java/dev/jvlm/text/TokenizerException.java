package dev.jvlm.text;

import dev.jvlm.JvlmException;

/**
 * A tokenizer file jvlm cannot use (missing, malformed, or using a component jvlm does not
 * implement) or input the tokenizer cannot handle. The message names the file and the component.
 */
public class TokenizerException extends JvlmException {

    public TokenizerException(String message) {
        super(message);
    }

    public TokenizerException(String message, Throwable cause) {
        super(message, cause);
    }
}
