package dev.jvlm.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StrictBase64Test {

    @Test
    void decodesTextWrappedOverLinesAndUnpadded() {
        byte[] hello = "hello world!".getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(hello, StrictBase64.decode("aGVsbG8g\r\nd29y bGQh\n"));
        assertArrayEquals("hi".getBytes(StandardCharsets.US_ASCII), StrictBase64.decode("aGk"));
    }

    @Test
    void refusesCharactersOutsideTheAlphabetInsteadOfSkippingThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StrictBase64.decode("@@@@"));
        assertEquals("Illegal base64 character 40", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> StrictBase64.decode("aGVs-bG8_"));
    }
}
