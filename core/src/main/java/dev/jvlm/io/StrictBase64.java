package dev.jvlm.io;

import java.util.Base64;
import java.util.regex.Pattern;

/** Base64 as data files and data URLs carry images: line breaks and spaces allowed, nothing else outside the alphabet. */
public final class StrictBase64 {
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private StrictBase64() {
    }

    /**
     * The bytes of {@code text}; an {@link IllegalArgumentException} naming the first character that is
     * not base64. (The MIME decoder would skip such characters silently and turn garbage into a short or
     * empty image, reported later as a broken image instead of bad base64.)
     */
    public static byte[] decode(String text) {
        return Base64.getDecoder().decode(WHITESPACE.matcher(text).replaceAll(""));
    }
}
