package dev.jvlm.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The official VQA answer normalisation (GT-Vision-Lab vqaEval.py, copied into both toolkits) and the
 * 10-annotator accuracy built on it. The toolkits' copies differ in ways that change scores, so each
 * difference is a {@link Style}.
 */
final class VqaAnswers {

    /** Whose copy of the normalisation to follow. */
    enum Style {
        /**
         * lmms-eval {@code EvalAIAnswerProcessor}: a '.' not followed by a digit is removed even after a
         * digit (its look-behind is mistyped as the look-ahead {@code (?!<=\d)}), and one or more commas
         * between digits count as a thousands separator.
         */
        LMMS_EVAL(Pattern.compile("\\d,+\\d", Pattern.UNICODE_CHARACTER_CLASS),
                Pattern.compile("\\.(?!\\d)", Pattern.UNICODE_CHARACTER_CLASS)),
        /** VLMEvalKit {@code process_punctuation}: a real look-behind keeps "3." intact; exactly one comma. */
        VLMEVALKIT(Pattern.compile("\\d,\\d", Pattern.UNICODE_CHARACTER_CLASS),
                Pattern.compile("(?<!\\d)\\.(?!\\d)", Pattern.UNICODE_CHARACTER_CLASS));

        private final Pattern digitCommaDigit;
        private final Pattern strippablePeriod;

        Style(Pattern digitCommaDigit, Pattern strippablePeriod) {
            this.digitCommaDigit = digitCommaDigit;
            this.strippablePeriod = strippablePeriod;
        }
    }

    private static final List<String> PUNCTUATION = List.of(
            ";", "/", "[", "]", "\"", "{", "}", "(", ")", "=", "+", "\\", "_", "-", ">", "<", "@", "`", ",", "?", "!");

    /**
     * Both toolkits pass {@code re.UNICODE} (= 32) as the positional {@code count} argument of
     * {@code Pattern.sub}, so at most 32 periods are removed.
     */
    private static final int PERIOD_REMOVAL_LIMIT = 32;

    private static final Set<String> ARTICLES = Set.of("a", "an", "the");

    private static final Map<String, String> NUMBER_WORDS = Map.ofEntries(
            Map.entry("none", "0"), Map.entry("zero", "0"), Map.entry("one", "1"), Map.entry("two", "2"),
            Map.entry("three", "3"), Map.entry("four", "4"), Map.entry("five", "5"), Map.entry("six", "6"),
            Map.entry("seven", "7"), Map.entry("eight", "8"), Map.entry("nine", "9"), Map.entry("ten", "10"));

    /**
     * The VQA contraction table, entries as the evaluation script has them (including its oddities:
     * capitalised keys that can never match lower-cased words, and "somebody'd" mapping to "somebodyd").
     */
    private static final Map<String, String> CONTRACTIONS = Map.ofEntries(
            Map.entry("aint", "ain't"), Map.entry("arent", "aren't"), Map.entry("cant", "can't"),
            Map.entry("couldve", "could've"), Map.entry("couldnt", "couldn't"),
            Map.entry("couldn'tve", "couldn't've"), Map.entry("couldnt've", "couldn't've"),
            Map.entry("didnt", "didn't"), Map.entry("doesnt", "doesn't"), Map.entry("dont", "don't"),
            Map.entry("hadnt", "hadn't"), Map.entry("hadnt've", "hadn't've"), Map.entry("hadn'tve", "hadn't've"),
            Map.entry("hasnt", "hasn't"), Map.entry("havent", "haven't"), Map.entry("hed", "he'd"),
            Map.entry("hed've", "he'd've"), Map.entry("he'dve", "he'd've"), Map.entry("hes", "he's"),
            Map.entry("howd", "how'd"), Map.entry("howll", "how'll"), Map.entry("hows", "how's"),
            Map.entry("Id've", "I'd've"), Map.entry("I'dve", "I'd've"), Map.entry("Im", "I'm"),
            Map.entry("Ive", "I've"), Map.entry("isnt", "isn't"), Map.entry("itd", "it'd"),
            Map.entry("itd've", "it'd've"), Map.entry("it'dve", "it'd've"), Map.entry("itll", "it'll"),
            Map.entry("let's", "let's"), Map.entry("maam", "ma'am"), Map.entry("mightnt", "mightn't"),
            Map.entry("mightnt've", "mightn't've"), Map.entry("mightn'tve", "mightn't've"),
            Map.entry("mightve", "might've"), Map.entry("mustnt", "mustn't"), Map.entry("mustve", "must've"),
            Map.entry("neednt", "needn't"), Map.entry("notve", "not've"), Map.entry("oclock", "o'clock"),
            Map.entry("oughtnt", "oughtn't"), Map.entry("ow's'at", "'ow's'at"), Map.entry("'ows'at", "'ow's'at"),
            Map.entry("'ow'sat", "'ow's'at"), Map.entry("shant", "shan't"), Map.entry("shed've", "she'd've"),
            Map.entry("she'dve", "she'd've"), Map.entry("she's", "she's"), Map.entry("shouldve", "should've"),
            Map.entry("shouldnt", "shouldn't"), Map.entry("shouldnt've", "shouldn't've"),
            Map.entry("shouldn'tve", "shouldn't've"), Map.entry("somebody'd", "somebodyd"),
            Map.entry("somebodyd've", "somebody'd've"), Map.entry("somebody'dve", "somebody'd've"),
            Map.entry("somebodyll", "somebody'll"), Map.entry("somebodys", "somebody's"),
            Map.entry("someoned", "someone'd"), Map.entry("someoned've", "someone'd've"),
            Map.entry("someone'dve", "someone'd've"), Map.entry("someonell", "someone'll"),
            Map.entry("someones", "someone's"), Map.entry("somethingd", "something'd"),
            Map.entry("somethingd've", "something'd've"), Map.entry("something'dve", "something'd've"),
            Map.entry("somethingll", "something'll"), Map.entry("thats", "that's"), Map.entry("thered", "there'd"),
            Map.entry("thered've", "there'd've"), Map.entry("there'dve", "there'd've"),
            Map.entry("therere", "there're"), Map.entry("theres", "there's"), Map.entry("theyd", "they'd"),
            Map.entry("theyd've", "they'd've"), Map.entry("they'dve", "they'd've"), Map.entry("theyll", "they'll"),
            Map.entry("theyre", "they're"), Map.entry("theyve", "they've"), Map.entry("twas", "'twas"),
            Map.entry("wasnt", "wasn't"), Map.entry("wed've", "we'd've"), Map.entry("we'dve", "we'd've"),
            Map.entry("weve", "we've"), Map.entry("werent", "weren't"), Map.entry("whatll", "what'll"),
            Map.entry("whatre", "what're"), Map.entry("whats", "what's"), Map.entry("whatve", "what've"),
            Map.entry("whens", "when's"), Map.entry("whered", "where'd"), Map.entry("wheres", "where's"),
            Map.entry("whereve", "where've"), Map.entry("whod", "who'd"), Map.entry("whod've", "who'd've"),
            Map.entry("who'dve", "who'd've"), Map.entry("wholl", "who'll"), Map.entry("whos", "who's"),
            Map.entry("whove", "who've"), Map.entry("whyll", "why'll"), Map.entry("whyre", "why're"),
            Map.entry("whys", "why's"), Map.entry("wont", "won't"), Map.entry("wouldve", "would've"),
            Map.entry("wouldnt", "wouldn't"), Map.entry("wouldnt've", "wouldn't've"),
            Map.entry("wouldn'tve", "wouldn't've"), Map.entry("yall", "y'all"), Map.entry("yall'll", "y'all'll"),
            Map.entry("y'allll", "y'all'll"), Map.entry("yall'd've", "y'all'd've"),
            Map.entry("y'alld've", "y'all'd've"), Map.entry("y'all'dve", "y'all'd've"), Map.entry("youd", "you'd"),
            Map.entry("youd've", "you'd've"), Map.entry("you'dve", "you'd've"), Map.entry("youll", "you'll"),
            Map.entry("youre", "you're"), Map.entry("youve", "you've"));

    private VqaAnswers() {
    }

    /**
     * The normalisation applied to VQAv2 answers by lmms-eval's {@code vqav2_process_results} and to
     * every VQA-score answer by VLMEvalKit's {@code process_answer}: newlines and tabs become spaces,
     * then strip, punctuation, numbers and articles.
     */
    static String normalize(String answer, Style style) {
        String cleaned = Py.strip(answer.replace("\n", " ").replace("\t", " "));
        return processDigitArticle(processPunctuation(cleaned, style));
    }

    /**
     * lmms-eval's full {@code EvalAIAnswerProcessor.__call__}, used for TextVQA: its {@code word_tokenize}
     * step first lower-cases and deletes ',' and '?' outright, so "red,blue" becomes "redblue".
     */
    static String normalizeTextVqa(String answer) {
        String tokenized = Py.strip(Py.lower(answer).replace(",", "").replace("?", "").replace("'s", " 's"));
        return normalize(tokenized, Style.LMMS_EVAL);
    }

    static String processPunctuation(String in, Style style) {
        boolean thousandsSeparator = style.digitCommaDigit.matcher(in).find();
        String out = in;
        for (String p : PUNCTUATION) {
            // The test looks at the input text, the replacement works on the text as modified so far.
            boolean deleted = in.contains(p + " ") || in.contains(" " + p) || thousandsSeparator;
            out = out.replace(p, deleted ? "" : " ");
        }
        return removePeriods(out, style.strippablePeriod);
    }

    private static String removePeriods(String text, Pattern period) {
        Matcher m = period.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        int removed = 0;
        while (removed < PERIOD_REMOVAL_LIMIT && m.find()) {
            m.appendReplacement(out, "");
            removed++;
        }
        m.appendTail(out);
        return out.toString();
    }

    static String processDigitArticle(String in) {
        List<String> words = new ArrayList<>();
        for (String word : Py.split(Py.lower(in))) {
            String mapped = NUMBER_WORDS.getOrDefault(word, word);
            if (!ARTICLES.contains(mapped)) {
                words.add(CONTRACTIONS.getOrDefault(mapped, mapped));
            }
        }
        return String.join(" ", words);
    }

    /**
     * Per-annotator accuracies: for each annotator, min(1, matches among the other annotators / 3).
     * Leave-one-out is by position, as with the datasets' distinct answer ids, not by answer text.
     */
    static double[] leaveOneOutAccuracies(String normalizedPrediction, List<String> normalizedReferences) {
        int n = normalizedReferences.size();
        long matchesAll = normalizedReferences.stream().filter(normalizedPrediction::equals).count();
        double[] accuracies = new double[n];
        for (int i = 0; i < n; i++) {
            long others = matchesAll - (normalizedReferences.get(i).equals(normalizedPrediction) ? 1 : 0);
            accuracies[i] = Math.min(1.0, others / 3.0);
        }
        return accuracies;
    }
}
