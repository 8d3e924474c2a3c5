package dev.jvlm.vision;

import java.io.IOException;

/**
 * The bytes given as an image are not one that jvlm can use: not an image at all, a truncated or
 * corrupt file, an unsupported variant, or an image of no pixels or more pixels than allowed. The
 * message names the image and says what was expected.
 */
public final class InvalidImageException extends IOException {

    public InvalidImageException(String message) {
        super(message);
    }

    public InvalidImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
