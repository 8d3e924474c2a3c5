package dev.jvlm.eval;

import java.util.OptionalDouble;

/**
 * ChartQA relaxed correctness (pix2struct, copied verbatim by lmms-eval and VLMEvalKit): numbers may be
 * off by 5 % of the target, anything else must match case-insensitively.
 */
final class RelaxedAccuracy {

    private static final double MAX_RELATIVE_CHANGE = 0.05;

    private RelaxedAccuracy() {
    }

    static boolean correct(String prediction, String target) {
        OptionalDouble predicted = toFloat(prediction);
        OptionalDouble expected = toFloat(target);
        // Python truthiness of the target: 0.0 and -0.0 fall through to the string compare, NaN does not.
        if (predicted.isPresent() && expected.isPresent() && expected.getAsDouble() != 0.0) {
            double relativeChange = Math.abs(predicted.getAsDouble() - expected.getAsDouble())
                    / Math.abs(expected.getAsDouble());
            return relativeChange <= MAX_RELATIVE_CHANGE;
        }
        return Py.lower(prediction).equals(Py.lower(target));
    }

    /** A trailing '%' (all of them: {@code rstrip('%')}) turns the number into a fraction. */
    private static OptionalDouble toFloat(String text) {
        if (text.endsWith("%")) {
            OptionalDouble percent = Py.toFloat(Py.rstrip(text, "%"));
            return percent.isPresent() ? OptionalDouble.of(percent.getAsDouble() / 100.0) : percent;
        }
        return Py.toFloat(text);
    }
}
