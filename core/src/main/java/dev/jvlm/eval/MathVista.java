package dev.jvlm.eval;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * MathVista answer handling from lmms-eval's {@code tasks/mathvista/mathvista_evals.py}. The toolkit
 * first has an LLM extract the answer from the response; only a few response shapes skip that step.
 * Normalization of the extracted answer and the comparison are rule-based.
 */
final class MathVista {

    static final String MULTI_CHOICE = "multi_choice";
    static final String INTEGER = "integer";
    static final String FLOAT = "float";
    static final String LIST = "list";

    private static final Pattern PARENTHESIZED_LETTER = Pattern.compile("\\(([a-zA-Z])\\)");

    /** The rule-based part of {@code extract_answer}; {@code needsJudge} where the toolkit would call the LLM. */
    record Extraction(String answer, boolean needsJudge) {
    }

    private MathVista() {
    }

    /**
     * {@code extract_answer} with {@code quick_extract: false} (the task's setting): an empty response,
     * a response equal to a choice, or one that parses as the expected integer or float is taken as is.
     * Anything else goes to the LLM judge in the toolkit; here the response itself is used and flagged.
     */
    static Extraction extract(String response, String questionType, String answerType, List<String> choices) {
        if (response.isEmpty()) {
            return new Extraction("", false);
        }
        if (questionType.equals(MULTI_CHOICE) && choices.contains(response)) {
            return new Extraction(response, false);
        }
        if (answerType.equals(INTEGER)) {
            Optional<BigInteger> integer = Py.toInt(response);
            if (integer.isPresent()) {
                return new Extraction(integer.get().toString(), false);
            }
        }
        if (answerType.equals(FLOAT)) {
            OptionalDouble number = Py.toFloat(response);
            if (number.isPresent()) {
                return new Extraction(Py.repr(number.getAsDouble()), false);
            }
        }
        return new Extraction(response, true);
    }

    /**
     * {@code normalize_extracted_answer}. Empty where Python yields None (an unparsable integer or
     * float answer), which {@code safe_equal} then compares as the string "None".
     */
    static Optional<String> normalize(String extraction, List<String> choices, String questionType,
                                      String answerType, int precision) {
        if (questionType.equals(MULTI_CHOICE)) {
            String answer = Py.strip(extraction);
            Matcher letter = PARENTHESIZED_LETTER.matcher(answer);
            if (letter.find()) {
                answer = Py.upper(letter.group(1));
            }
            int option = answer.length() == 1 ? answer.charAt(0) - 'A' : -1;
            if (option >= 0 && option < choices.size()) {
                return Optional.of(choices.get(option));
            }
            return Optional.of(mostSimilar(answer, choices));
        }
        return switch (answerType) {
            case INTEGER -> Py.toFloat(extraction).stream()
                    .filter(Double::isFinite)
                    .mapToObj(x -> new BigDecimal(x).toBigInteger().toString())
                    .findFirst();
            case FLOAT -> Py.toFloat(extraction).stream()
                    .mapToObj(x -> Py.repr(Py.round(x, precision)))
                    .findFirst();
            default -> Optional.of(extraction);
        };
    }

    /** {@code get_most_similar}: the first choice at the least Levenshtein distance. */
    private static String mostSimilar(String answer, List<String> choices) {
        String best = choices.getFirst();
        int bestDistance = Arithmetic.levenshtein(answer, best);
        for (String choice : choices) {
            int distance = Arithmetic.levenshtein(answer, choice);
            if (distance < bestDistance) {
                best = choice;
                bestDistance = distance;
            }
        }
        return best;
    }

    /** {@code safe_equal}: string equality after strip, None printed as "None". */
    static boolean safeEqual(Optional<String> prediction, String answer) {
        return Py.strip(prediction.orElse("None")).equals(Py.strip(answer));
    }
}
