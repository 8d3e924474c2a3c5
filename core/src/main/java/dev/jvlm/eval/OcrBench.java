package dev.jvlm.eval;

import java.util.List;

/** OCRBench: one point when a reference answer is a substring of the prediction. */
final class OcrBench {

    /** lmms-eval keys handwritten-math handling on the item's source dataset. */
    static final String HANDWRITTEN_MATH_DATASET = "HME100k";
    /** VLMEvalKit keys it on the item's category. */
    static final String HANDWRITTEN_MATH_CATEGORY = "Handwritten Mathematical Expression Recognition";

    private OcrBench() {
    }

    /**
     * @param handwrittenMath compare with all spaces removed and case kept (LaTeX answers)
     * @param foldFullWidth   fold full-width ASCII and the ideographic space first (lmms-eval only)
     */
    static int points(String prediction, List<String> references, boolean handwrittenMath, boolean foldFullWidth) {
        for (String reference : references) {
            boolean hit = handwrittenMath
                    ? withoutSpaces(prediction).contains(withoutSpaces(reference))
                    : caseless(prediction, foldFullWidth).contains(caseless(reference, foldFullWidth));
            if (hit) {
                return 1;
            }
        }
        return 0;
    }

    private static String withoutSpaces(String s) {
        return Py.strip(s).replace("\n", " ").replace(" ", "");
    }

    private static String caseless(String s, boolean foldFullWidth) {
        return Py.strip(Py.lower(foldFullWidth ? foldFullWidth(s) : s)).replace("\n", " ");
    }

    /** U+FF01..U+FF5E to their ASCII counterparts, U+3000 to a space; nothing else (no NFKC). */
    static String foldFullWidth(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> {
            if (cp >= 0xFF01 && cp <= 0xFF5E) {
                out.append((char) (cp - 0xFEE0));
            } else if (cp == 0x3000) {
                out.append(' ');
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }
}
