package dev.jvlm.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.Set;

/**
 * Corpus-level BLEU and CIDEr-D as pycocoevalcap computes them (tylin/coco-caption
 * {@code bleu_scorer.py}, {@code cider_scorer.py}), on captions already tokenized by {@link PtbTokenizer}.
 */
final class CocoCaption {

    private static final int MAX_N = 4;
    /** BLEU's smoothing: {@code (correct + TINY) / (guess + SMALL)}, so zero matches give a tiny, not zero, score. */
    private static final double TINY = 1e-15;
    private static final double SMALL = 1e-9;
    private static final double CIDER_SIGMA = 6.0;
    private static final double CIDER_SCALE = 10.0;

    /** One image: its tokenized hypothesis and tokenized references. */
    record Image(List<String> hypothesis, List<List<String>> references) {
    }

    private CocoCaption() {
    }

    static Image tokenized(String hypothesis, List<String> references) {
        return new Image(words(PtbTokenizer.tokenize(hypothesis)),
                references.stream().map(r -> words(PtbTokenizer.tokenize(r))).toList());
    }

    private static List<String> words(String tokenized) {
        return Py.split(tokenized);
    }

    /** N-gram counts for n = 1..4, in first-occurrence order (the iteration order the scorers sum in). */
    private static SequencedMap<List<String>, Integer> ngramCounts(List<String> words) {
        SequencedMap<List<String>, Integer> counts = new LinkedHashMap<>();
        for (int k = 1; k <= MAX_N; k++) {
            for (int i = 0; i + k <= words.size(); i++) {
                counts.merge(List.copyOf(words.subList(i, i + k)), 1, Integer::sum);
            }
        }
        return counts;
    }

    /**
     * BLEU-1..4 over the corpus with the "closest" effective reference length: clipped n-gram matches and
     * guesses are summed over all images before the geometric mean; one brevity penalty for the corpus.
     */
    static double[] bleu(List<Image> images) {
        long[] correct = new long[MAX_N];
        long[] guess = new long[MAX_N];
        long testLength = 0;
        long referenceLength = 0;
        for (Image image : images) {
            Map<List<String>, Integer> maxReferenceCounts = new HashMap<>();
            for (List<String> reference : image.references()) {
                ngramCounts(reference).forEach((ngram, count) -> maxReferenceCounts.merge(ngram, count, Math::max));
            }
            int length = image.hypothesis().size();
            testLength += length;
            referenceLength += closestReferenceLength(length, image.references());
            for (int k = 1; k <= MAX_N; k++) {
                guess[k - 1] += Math.max(0, length - k + 1);
            }
            ngramCounts(image.hypothesis()).forEach((ngram, count) ->
                    correct[ngram.size() - 1] += Math.min(maxReferenceCounts.getOrDefault(ngram, 0), count));
        }
        double[] bleus = new double[MAX_N];
        double product = 1.0;
        for (int k = 0; k < MAX_N; k++) {
            product *= (correct[k] + TINY) / (guess[k] + SMALL);
            bleus[k] = Math.pow(product, 1.0 / (k + 1));
        }
        double ratio = (testLength + TINY) / (referenceLength + SMALL);
        if (ratio < 1) {
            for (int k = 0; k < MAX_N; k++) {
                bleus[k] *= Math.exp(1 - 1 / ratio);
            }
        }
        return bleus;
    }

    /** The reference length closest to the hypothesis length; the shorter one on a tie. */
    private static int closestReferenceLength(int hypothesisLength, List<List<String>> references) {
        int best = -1;
        for (List<String> reference : references) {
            int length = reference.size();
            int distance = Math.abs(length - hypothesisLength);
            int bestDistance = Math.abs(best - hypothesisLength);
            if (best < 0 || distance < bestDistance || (distance == bestDistance && length < best)) {
                best = length;
            }
        }
        return best;
    }

    /**
     * CIDEr-D: per n, the cosine of TF-IDF vectors with the hypothesis clipped by the reference, times a
     * Gaussian length penalty; averaged over n and references, times 10, then averaged over images.
     * IDF comes from the references of the evaluated images themselves, so a single image always scores 0.
     */
    static double cider(List<Image> images) {
        Map<List<String>, Integer> documentFrequency = new HashMap<>();
        for (Image image : images) {
            Set<List<String>> seen = new HashSet<>();
            image.references().forEach(r -> seen.addAll(ngramCounts(r).keySet()));
            seen.forEach(ngram -> documentFrequency.merge(ngram, 1, Integer::sum));
        }
        double logImageCount = Math.log(images.size());
        double[] imageScores = new double[images.size()];
        for (int i = 0; i < images.size(); i++) {
            Image image = images.get(i);
            TfIdf hypothesis = TfIdf.of(ngramCounts(image.hypothesis()), documentFrequency, logImageCount);
            double[] summed = new double[MAX_N];
            for (List<String> reference : image.references()) {
                TfIdf ref = TfIdf.of(ngramCounts(reference), documentFrequency, logImageCount);
                double[] similarity = similarity(hypothesis, ref);
                for (int n = 0; n < MAX_N; n++) {
                    summed[n] += similarity[n];
                }
            }
            double score = Arithmetic.numpyMean(summed);
            score /= image.references().size();
            score *= CIDER_SCALE;
            imageScores[i] = score;
        }
        return Arithmetic.numpyMean(imageScores);
    }

    /**
     * TF-IDF vectors per n-gram order, their norms, and the caption "length" used by the penalty, which
     * pycocoevalcap counts as the number of bigrams (its {@code if n == 1} tests the 0-based order).
     */
    private record TfIdf(List<SequencedMap<List<String>, Double>> vectors, double[] norms, int length) {

        static TfIdf of(SequencedMap<List<String>, Integer> counts, Map<List<String>, Integer> documentFrequency,
                        double logImageCount) {
            List<SequencedMap<List<String>, Double>> vectors = new ArrayList<>();
            for (int n = 0; n < MAX_N; n++) {
                vectors.add(new LinkedHashMap<>());
            }
            double[] squaredNorms = new double[MAX_N];
            int length = 0;
            for (var entry : counts.entrySet()) {
                List<String> ngram = entry.getKey();
                int termFrequency = entry.getValue();
                double df = Math.log(Math.max(1.0, documentFrequency.getOrDefault(ngram, 0)));
                int n = ngram.size() - 1;
                double weight = termFrequency * (logImageCount - df);
                vectors.get(n).put(ngram, weight);
                squaredNorms[n] += weight * weight;
                if (n == 1) {
                    length += termFrequency;
                }
            }
            double[] norms = new double[MAX_N];
            for (int n = 0; n < MAX_N; n++) {
                norms[n] = Math.sqrt(squaredNorms[n]);
            }
            return new TfIdf(vectors, norms, length);
        }
    }

    private static double[] similarity(TfIdf hypothesis, TfIdf reference) {
        double delta = hypothesis.length() - reference.length();
        double[] values = new double[MAX_N];
        for (int n = 0; n < MAX_N; n++) {
            for (var entry : hypothesis.vectors().get(n).entrySet()) {
                double referenceWeight = reference.vectors().get(n).getOrDefault(entry.getKey(), 0.0);
                values[n] += Math.min(entry.getValue(), referenceWeight) * referenceWeight;
            }
            if (hypothesis.norms()[n] != 0 && reference.norms()[n] != 0) {
                values[n] /= hypothesis.norms()[n] * reference.norms()[n];
            }
            // np.e ** x, not exp(x): the two can differ in the last bit.
            values[n] *= Math.pow(Math.E, -(delta * delta) / (2 * CIDER_SIGMA * CIDER_SIGMA));
        }
        return values;
    }
}
