package dev.jvlm.eval;

import java.util.Locale;

/** Where an item's score is not what the reference toolkit would certainly have produced. */
public enum Caveat {
    /**
     * The toolkit would ask an LLM judge for this item (MathVista answer extraction, VLMEvalKit
     * choice matching when the rules cannot infer an option); the item was scored by the rule-based
     * path alone, as the toolkit's {@code exact_matching} mode does.
     */
    LLM_JUDGE_FALLBACK,
    /**
     * The toolkit picks an option at random for this item (MMMU with no parsable answer); the score
     * is the expected value of that draw.
     */
    RANDOM_CHOICE;

    /** The name used in JSON output. */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
