package dev.jvlm.eval;

import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * VLMEvalKit's rule-based option matching ({@code vlmeval/utils/matching_util.py can_infer}): first
 * look for a lone option letter near the end of the answer, then for exactly one option text inside it.
 * When neither works the toolkit would ask an LLM judge; under its {@code exact_matching} policy the
 * item is wrong.
 */
final class VlmEvalKitChoices {

    /** Answer used by the toolkit for "the model declined" (and for un-inferable items under exact matching). */
    static final String NO_ANSWER = "Z";

    private static final String API_FAILURE = "Failed to obtain answer via API";
    private static final List<String> REFUSALS = List.of(
            "Sorry, I can't help with images of people yet.", "I can't process this file.",
            "I'm sorry, but without the image provided", "Cannot determine the answer");
    private static final String SEPARATORS = ".()[],:;!*#{}";
    /** The letter must be among the last four words. */
    private static final int TAIL_WORDS = 5;
    /**
     * "answer is B" in any case. Case-insensitive on the letter too, so "the answer is a bird" yields
     * 'A' from the article, exactly as the toolkit does.
     */
    private static final Pattern ANSWER_IS = Pattern.compile(
            "(?:correct" + Py.SPACE_CLASS + "+)?answer" + Py.SPACE_CLASS + "+is" + Py.SPACE_CLASS + "+\\**([ABCD])\\**",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);

    private VlmEvalKitChoices() {
    }

    /** {@code can_infer}: the inferred option letter ('Z' for a refusal), or empty where the rules give up. */
    static Optional<String> infer(String answer, SortedMap<String, String> choices) {
        return inferOption(answer, choices).or(() -> inferText(answer, choices));
    }

    static Optional<String> inferOption(String answer, SortedMap<String, String> choices) {
        if (answer.contains(API_FAILURE)) {
            return Optional.empty();
        }
        if (REFUSALS.stream().anyMatch(answer::contains)) {
            return Optional.of(NO_ANSWER);
        }
        String spaced = answer;
        for (char c : SEPARATORS.toCharArray()) {
            spaced = spaced.replace(c, ' ');
        }
        List<String> words = Py.split(spaced);
        long letters = choices.keySet().stream().filter(words::contains).count();
        if (letters == 1) {
            for (String letter : choices.keySet()) {
                if (words.contains(letter) && words.indexOf(letter) > words.size() - TAIL_WORDS) {
                    return Optional.of(letter);
                }
            }
        } else if (letters == 0 && words.contains(NO_ANSWER)) {
            return Optional.of(NO_ANSWER);
        }
        Matcher m = ANSWER_IS.matcher(answer);
        if (m.find()) {
            String letter = Py.upper(m.group(1));
            if (choices.containsKey(letter)) {
                return Optional.of(letter);
            }
        }
        return Optional.empty();
    }

    /** {@code can_infer_text}: exactly one option text occurs in the lower-cased answer, which must not be too long. */
    static Optional<String> inferText(String answer, SortedMap<String, String> choices) {
        String lowered = Py.lower(answer);
        int optionLength = choices.values().stream().mapToInt(Py::len).sum();
        if (Py.len(lowered) > 2 * optionLength) {
            return Optional.empty();
        }
        List<String> found = choices.entrySet().stream()
                .filter(e -> lowered.contains(Py.lower(e.getValue())))
                .map(SortedMap.Entry::getKey)
                .toList();
        return found.size() == 1 ? Optional.of(found.getFirst()) : Optional.empty();
    }
}
