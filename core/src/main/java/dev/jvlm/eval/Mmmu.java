package dev.jvlm.eval;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * MMMU answer parsing and checking as in the official MMMU eval_utils.py, which lmms-eval carries in
 * {@code tasks/mmmu/utils.py} and {@code _task_utils/mmmu_mcq_utils.py}.
 */
final class Mmmu {

    /** One normalized candidate answer of an open question: a lower-cased string or a number rounded to 2 places. */
    sealed interface OpenAnswer permits Text, Number {
    }

    record Text(String value) implements OpenAnswer {
    }

    record Number(double value) implements OpenAnswer {
    }

    private static final String EDGE_PUNCTUATION = ",.!?;:'";
    /** Option texts are searched only in responses longer than this many words. */
    private static final int MIN_WORDS_FOR_TEXT_MATCH = 5;

    private static final Pattern SENTENCE_BREAK =
            Pattern.compile("\\." + Py.SPACE_CLASS + "(?=[A-Z])|\\n");
    private static final List<String> KEY_INDICATORS =
            List.of("could be ", "so ", "is ", "thus ", "therefore ", "final ", "answer ", "result ");
    /** Only the last sentence may be an equation whose right-hand side is the answer. */
    private static final String EQUATION_INDICATOR = "=";
    private static final List<String> TRIVIAL_ANSWERS = List.of(":", ",", ".", "!", "?", ";", ":", "'");

    private static final int FLAGS = Pattern.UNICODE_CHARACTER_CLASS;
    private static final Pattern NUMBER_WITH_COMMAS = Pattern.compile("-?\\b\\d{1,3}(?:,\\d{3})+\\b", FLAGS);
    private static final Pattern NUMBER_SCIENTIFIC = Pattern.compile("-?\\d+(?:\\.\\d+)?[eE][+-]?\\d+", FLAGS);
    private static final Pattern NUMBER_SIMPLE =
            Pattern.compile("-?(?:\\d+\\.\\d+|\\.\\d+|\\d+\\b)(?![eE][+-]?\\d+)(?![,\\d])", FLAGS);

    private Mmmu() {
    }

    /** Option letters A, B, ... for the given options, as {@code get_multi_choice_info} assigns them. */
    static List<String> letters(int optionCount) {
        List<String> letters = new ArrayList<>(optionCount);
        for (int i = 0; i < optionCount; i++) {
            letters.add(String.valueOf((char) ('A' + i)));
        }
        return letters;
    }

    /**
     * {@code parse_mmmu_multi_choice_response}. Empty where the toolkit falls back to
     * {@code random.choice(all_choices)}.
     */
    static Optional<String> parseMultipleChoice(String response, List<String> options) {
        List<String> letters = letters(options.size());
        String text = response;
        for (char c : EDGE_PUNCTUATION.toCharArray()) {
            text = Py.strip(text, String.valueOf(c));
        }
        String padded = " " + text + " ";

        List<String> candidates = new ArrayList<>();
        boolean bracketed = false;
        boolean byLetter = true;
        for (String letter : letters) {
            if (padded.contains("(" + letter + ")")) {
                candidates.add(letter);
                bracketed = true;
            }
        }
        if (candidates.isEmpty()) {
            letters.stream().filter(l -> padded.contains(l + " ")).forEach(candidates::add);
        }
        if (candidates.isEmpty()) {
            letters.stream().filter(l -> padded.contains(l + ".")).forEach(candidates::add);
        }
        String lowered = Py.lower(padded);
        if (candidates.isEmpty() && Py.split(padded).size() > MIN_WORDS_FOR_TEXT_MATCH) {
            for (int i = 0; i < options.size(); i++) {
                if (lowered.contains(Py.lower(options.get(i)))) {
                    candidates.add(letters.get(i));
                    byLetter = false;
                }
            }
        }
        if (candidates.size() <= 1) {
            return candidates.stream().findFirst();
        }
        // Several candidates: the one mentioned last wins (first of equals, as numpy.argmax).
        String best = null;
        int bestPosition = Integer.MIN_VALUE;
        for (String letter : candidates) {
            int position;
            if (!byLetter) {
                position = lowered.lastIndexOf(Py.lower(options.get(letters.indexOf(letter))));
            } else if (bracketed) {
                position = padded.lastIndexOf("(" + letter + ")");
            } else {
                position = padded.lastIndexOf(" " + letter + " ");
            }
            if (position > bestPosition) {
                best = letter;
                bestPosition = position;
            }
        }
        return Optional.of(best);
    }

    /** {@code eval_multi_choice}: the parsed letter equals one of the gold answers. */
    static boolean multipleChoiceCorrect(List<String> golds, String parsedLetter) {
        return golds.contains(parsedLetter);
    }

    /** {@code parse_open_response}: key sub-responses, the numbers in them, all normalized, duplicates removed. */
    static List<OpenAnswer> parseOpen(String response) {
        List<String> keyResponses = keySubResponses(response);
        List<String> raw = new ArrayList<>(keyResponses);
        for (String keyResponse : keyResponses) {
            raw.addAll(extractNumbers(keyResponse));
        }
        LinkedHashSet<OpenAnswer> normalized = new LinkedHashSet<>();
        for (String candidate : raw) {
            normalized.addAll(normalize(candidate));
        }
        return List.copyOf(normalized);
    }

    /** The tail of each sentence after its last-and-shortest answer indicator ("is ", "so ", ...). */
    private static List<String> keySubResponses(String response) {
        String lowered = Py.lower(Py.strip(Py.strip(response), "."));
        String[] sentences = SENTENCE_BREAK.split(lowered, -1);
        List<String> indicators = new ArrayList<>(KEY_INDICATORS);
        List<String> keyResponses = new ArrayList<>();
        for (int index = 0; index < sentences.length; index++) {
            String sentence = sentences[index];
            if (index == sentences.length - 1) {
                indicators.add(EQUATION_INDICATOR);
            }
            String shortest = "";
            for (String indicator : indicators) {
                int at = sentence.lastIndexOf(indicator);
                if (at >= 0) {
                    String tail = Py.strip(sentence.substring(at + indicator.length()));
                    // An empty tail counts as "none yet", as Python's falsy "" does.
                    if (shortest.isEmpty() || Py.len(tail) < Py.len(shortest)) {
                        shortest = tail;
                    }
                }
            }
            if (!shortest.isEmpty() && !TRIVIAL_ANSWERS.contains(Py.strip(shortest))) {
                keyResponses.add(shortest);
            }
        }
        return keyResponses.isEmpty() ? List.of(lowered) : keyResponses;
    }

    /** Numbers with thousands commas, then scientific notation, then plain numbers. */
    static List<String> extractNumbers(String text) {
        List<String> numbers = new ArrayList<>();
        for (Pattern pattern : List.of(NUMBER_WITH_COMMAS, NUMBER_SCIENTIFIC, NUMBER_SIMPLE)) {
            Matcher m = pattern.matcher(text);
            while (m.find()) {
                numbers.add(m.group());
            }
        }
        return numbers;
    }

    /**
     * {@code normalize_str}: a number (commas ignored) becomes a float rounded to 2 places; other text is
     * lower-cased, and a single character is padded with a space on either side to avoid trivial hits.
     */
    static List<OpenAnswer> normalize(String answer) {
        String stripped = Py.strip(answer);
        OptionalDouble number = Py.toFloat(stripped.replace(",", ""));
        if (number.isPresent()) {
            return List.of(new Number(Py.round(number.getAsDouble(), 2)));
        }
        String lowered = Py.lower(stripped);
        if (Py.len(lowered) == 1) {
            return List.of(new Text(" " + lowered), new Text(lowered + " "));
        }
        return List.of(new Text(lowered));
    }

    /**
     * {@code eval_open}: a parsed string is right when it contains a normalized gold string; a parsed
     * number is right when it equals a normalized gold number (NaN never equals, as in Python).
     */
    static boolean openCorrect(List<String> golds, List<OpenAnswer> parsed) {
        List<OpenAnswer> goldAnswers = golds.stream().flatMap(g -> normalize(g).stream()).toList();
        for (OpenAnswer candidate : parsed) {
            boolean hit = switch (candidate) {
                case Text(String text) -> goldAnswers.stream()
                        .anyMatch(g -> g instanceof Text(String gold) && text.contains(gold));
                case Number(double value) -> goldAnswers.stream()
                        .anyMatch(g -> g instanceof Number(double gold) && gold == value);
            };
            if (hit) {
                return true;
            }
        }
        return false;
    }
}
