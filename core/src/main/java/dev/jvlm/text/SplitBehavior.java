package dev.jvlm.text;

import java.util.ArrayList;
import java.util.List;

/**
 * What a split does with the delimiters it finds (tokenizers' {@code SplitDelimiterBehavior}),
 * e.g. for "the-final--countdown" split on "-": Removed gives [the, final, countdown]; Isolated
 * [the, -, final, -, -, countdown]; MergedWithPrevious [the-, final-, -, countdown]; MergedWithNext
 * [the, -final, -, -countdown]; Contiguous [the, -, final, --, countdown].
 */
enum SplitBehavior {
    REMOVED, ISOLATED, MERGED_WITH_PREVIOUS, MERGED_WITH_NEXT, CONTIGUOUS;

    static SplitBehavior fromJson(String name, String where) {
        return switch (name) {
            case "Removed" -> REMOVED;
            case "Isolated" -> ISOLATED;
            case "MergedWithPrevious" -> MERGED_WITH_PREVIOUS;
            case "MergedWithNext" -> MERGED_WITH_NEXT;
            case "Contiguous" -> CONTIGUOUS;
            default -> throw new TokenizerException(where + ": split behavior \"" + name + "\" is not supported");
        };
    }

    /**
     * Turns the pattern matches covering a piece into the pieces to keep; a returned range with
     * {@code isMatch} set is one to drop (only {@link #REMOVED} drops anything).
     */
    List<PatternMatch> apply(List<PatternMatch> matches) {
        return switch (this) {
            case REMOVED -> matches;
            case ISOLATED -> matches.stream().map(m -> new PatternMatch(m.start(), m.end(), false)).toList();
            case CONTIGUOUS -> {
                List<PatternMatch> out = new ArrayList<>();
                boolean previousMatch = false;
                for (PatternMatch m : matches) {
                    if (m.isMatch() == previousMatch && !out.isEmpty()) {
                        extendLast(out, m.end());
                    } else {
                        out.add(new PatternMatch(m.start(), m.end(), false));
                    }
                    previousMatch = m.isMatch();
                }
                yield out;
            }
            case MERGED_WITH_PREVIOUS -> {
                List<PatternMatch> out = new ArrayList<>();
                boolean previousMatch = false;
                for (PatternMatch m : matches) {
                    if (m.isMatch() && !previousMatch && !out.isEmpty()) {
                        extendLast(out, m.end());
                    } else {
                        out.add(new PatternMatch(m.start(), m.end(), false));
                    }
                    previousMatch = m.isMatch();
                }
                yield out;
            }
            case MERGED_WITH_NEXT -> {
                List<PatternMatch> reversed = new ArrayList<>();
                boolean previousMatch = false;
                for (int i = matches.size() - 1; i >= 0; i--) {
                    PatternMatch m = matches.get(i);
                    if (m.isMatch() && !previousMatch && !reversed.isEmpty()) {
                        PatternMatch last = reversed.getLast();
                        reversed.set(reversed.size() - 1, new PatternMatch(m.start(), last.end(), false));
                    } else {
                        reversed.add(new PatternMatch(m.start(), m.end(), false));
                    }
                    previousMatch = m.isMatch();
                }
                yield reversed.reversed();
            }
        };
    }

    private static void extendLast(List<PatternMatch> out, int end) {
        PatternMatch last = out.getLast();
        out.set(out.size() - 1, new PatternMatch(last.start(), end, false));
    }
}
