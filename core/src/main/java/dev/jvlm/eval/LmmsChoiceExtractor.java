package dev.jvlm.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * lmms-eval's shared multiple-choice letter extractor ({@code _task_utils/mcq_extract.py
 * extract_mcq_answer}): every format found yields a candidate; the candidate of the most trusted
 * format wins, and within a format the later position wins.
 */
final class LmmsChoiceExtractor {

    static final List<String> DEFAULT_LETTERS = List.of("A", "B", "C", "D", "E", "F", "G", "H");

    private static final List<String> ANSWER_PHRASES = List.of(
            "the answer is", "answer is", "the correct answer is", "correct answer is", "the best answer is",
            "best answer is", "the correct option is", "correct option is", "the best option is", "best option is",
            "the choice is", "choice is", "the correct choice is", "correct choice is", "i choose", "i select",
            "i pick", "my answer is", "my choice is",
            "옵션", "정답은", "답은", "답:",
            "答案是", "答案为", "选",
            "答えは");

    /** Stripped one at a time from both ends, in this order. */
    private static final String EDGE_PUNCTUATION = ",.!?;:'\"";

    /** Format trust, highest first. */
    private enum Format {
        START(10), END(9), PHRASE(7), PARENTHESES(6), PERIOD(5), COLON(4), RIGHT_PAREN(3), SPACE(2), FALLBACK(0);

        final int priority;

        Format(int priority) {
            this.priority = priority;
        }
    }

    private record Candidate(String letter, int position, Format format) {
    }

    private LmmsChoiceExtractor() {
    }

    /** The extracted letter, or "" when none is found (as the toolkit returns). */
    static String extract(String response, List<String> letters) {
        if (response.isEmpty() || Py.strip(response).isEmpty()) {
            return "";
        }
        List<String> choices = letters.isEmpty() ? DEFAULT_LETTERS : letters;
        String text = Py.strip(response);
        for (char c : EDGE_PUNCTUATION.toCharArray()) {
            text = Py.strip(text, String.valueOf(c));
        }
        text = " " + text + " ";

        List<Candidate> candidates = new ArrayList<>();
        addIfPresent(candidates, text, choices, "(", ")", Format.PARENTHESES);
        addIfPresent(candidates, text, choices, "", ".", Format.PERIOD);
        addIfPresent(candidates, text, choices, "", ":", Format.COLON);
        addIfPresent(candidates, text, choices, "", ")", Format.RIGHT_PAREN);
        addIfPresent(candidates, text, choices, "", " ", Format.SPACE);

        String lowered = Py.lower(text);
        for (String phrase : ANSWER_PHRASES) {
            int at = lowered.indexOf(phrase);
            if (at >= 0) {
                int after = at + phrase.length();
                for (String letter : choices) {
                    int position = text.indexOf(letter, after);
                    if (position >= 0) {
                        candidates.add(new Candidate(letter, position, Format.PHRASE));
                    }
                }
            }
        }

        String stripped = Py.strip(text);
        int strippedLength = Py.len(stripped);
        for (String letter : choices) {
            if (stripped.startsWith(letter)
                    && (strippedLength == 1 || !Character.isLetter(Py.codePointAt(stripped, 1)))) {
                candidates.add(new Candidate(letter, 0, Format.START));
            }
        }
        for (String letter : choices) {
            if (stripped.endsWith(letter)
                    && (strippedLength == 1 || !Character.isLetter(Py.codePointAt(stripped, -2)))) {
                candidates.add(new Candidate(letter, text.length() - 1, Format.END));
            }
        }
        if (candidates.isEmpty()) {
            for (String letter : choices) {
                if (text.contains(letter)) {
                    candidates.add(new Candidate(letter, text.lastIndexOf(letter), Format.FALLBACK));
                }
            }
        }
        // Stable sort, like Python's: equal keys keep the order in which they were found.
        return candidates.stream()
                .sorted(Comparator.comparingInt((Candidate c) -> c.format().priority)
                        .thenComparingInt(Candidate::position)
                        .reversed())
                .map(Candidate::letter)
                .findFirst()
                .orElse("");
    }

    private static void addIfPresent(List<Candidate> candidates, String text, List<String> choices,
                                     String before, String after, Format format) {
        for (String letter : choices) {
            String pattern = before + letter + after;
            if (text.contains(pattern)) {
                candidates.add(new Candidate(letter, text.lastIndexOf(pattern), format));
            }
        }
    }
}
