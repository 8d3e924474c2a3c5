package dev.jvlm.vision;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Locations of the copied reference fixtures in the test resources. */
final class Fixtures {

    private static final Pattern REPEAT = Pattern.compile("(<[^<>]+>) x (\\d+)");

    private Fixtures() {
    }

    /** The test-resources folder {@code vision/<relative>}. */
    static Path path(String relative) {
        URL url = Fixtures.class.getResource("/vision/" + relative);
        if (url == null) {
            throw new IllegalStateException("missing test resource vision/" + relative);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Expands the fixtures' shorthand {@code <tok> x N} into {@code <tok>} repeated N times. */
    static String expandShorthand(String prompt) {
        Matcher m = REPEAT.matcher(prompt);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1).repeat(Integer.parseInt(m.group(2)))));
        }
        m.appendTail(out);
        return out.toString();
    }
}
