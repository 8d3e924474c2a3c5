package dev.jvlm.eval;

import java.util.List;

/** Average Normalized Levenshtein Similarity (DocVQA, InfographicVQA), threshold 0.5. */
final class Anls {

    private static final double THRESHOLD = 0.5;

    private Anls() {
    }

    /**
     * 1 - min over references of the normalized distance, zeroed below the threshold. The distance
     * compares lower-cased, whitespace-collapsed strings, but the normalizing length is taken from the
     * strings as given (upper-cased, which can lengthen 'ß'). lmms-eval hands in the response already
     * stripped; VLMEvalKit hands it in raw, so surrounding spaces lengthen the denominator.
     */
    static double score(String prediction, List<String> references) {
        double best = Double.POSITIVE_INFINITY;
        for (String reference : references) {
            best = Math.min(best, normalizedDistance(reference, prediction));
        }
        double similarity = 1 - best;
        return similarity < THRESHOLD ? 0.0 : similarity;
    }

    private static double normalizedDistance(String reference, String prediction) {
        int distance = Arithmetic.levenshtein(collapse(reference), collapse(prediction));
        int length = Math.max(Py.len(Py.upper(reference)), Py.len(Py.upper(prediction)));
        return length == 0 ? 0.0 : (double) distance / length;
    }

    private static String collapse(String s) {
        return String.join(" ", Py.split(Py.lower(Py.strip(s))));
    }
}
