package dev.jvlm.vision;

import javax.imageio.ImageReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Collects an ImageIO reader's warnings. The JDK's JPEG reader (like libjpeg) only warns when the
 * data ends early and fills the missing part with gray; Pillow refuses such files ("image file is
 * truncated"), so jvlm does too. Other warnings (such as stray bytes between markers) leave the
 * image usable, as in Pillow.
 */
final class TruncationWarnings {

    private final List<String> warnings = new ArrayList<>();

    private TruncationWarnings() {
    }

    static TruncationWarnings listenTo(ImageReader reader) {
        TruncationWarnings w = new TruncationWarnings();
        reader.addIIOReadWarningListener((source, warning) -> w.warnings.add(warning));
        return w;
    }

    void throwIfTruncated(String name, String format) throws InvalidImageException {
        for (String warning : warnings) {
            String lower = warning.toLowerCase(Locale.ROOT);
            if (lower.contains("truncated") || lower.contains("premature end")) {
                throw new InvalidImageException(name + ": truncated " + format + ": " + warning);
            }
        }
    }
}
