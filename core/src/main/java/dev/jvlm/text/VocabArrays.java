package dev.jvlm.text;

import java.util.Map;

/** Reverse vocabulary lookup as an array indexed by id. */
final class VocabArrays {

    private VocabArrays() {
    }

    static String[] byId(Map<String, Integer> vocab) {
        int max = -1;
        for (int id : vocab.values()) {
            max = Math.max(max, id);
        }
        String[] tokens = new String[max + 1];
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            tokens[e.getValue()] = e.getKey();
        }
        return tokens;
    }
}
