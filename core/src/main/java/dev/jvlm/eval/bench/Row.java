package dev.jvlm.eval.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.SequencedMap;

/**
 * One record of a benchmark file, whatever its format: its fields as JSON (TSV cells are strings)
 * and its images, not yet decoded. The accessors read fields the way the reference toolkits do and
 * turn a missing or unusable field into a {@link SkipException} naming it.
 *
 * @param number 1-based position among the file's records
 * @param where  the record's place in the file for messages, e.g. {@code line 7} or {@code row 7}
 */
record Row(int number, String where, ObjectNode fields, List<ImageRef> images) implements DataFile.Entry {

    /** Option columns of VLMEvalKit's multiple-choice TSV files. */
    private static final String OPTION_LETTERS = "ABCDEFGHI";

    Row {
        images = List.copyOf(images);
    }

    /** The value of a field, absent when the field is missing, JSON null, empty, or pandas' "nan". */
    Optional<JsonNode> field(String name) {
        JsonNode value = fields.get(name);
        if (value == null || value.isNull() || value.isMissingNode()) {
            return Optional.empty();
        }
        if (value.isTextual() && (value.asText().isEmpty() || value.asText().equals("nan"))) {
            return Optional.empty();
        }
        return Optional.of(value);
    }

    /** A text field (numbers are taken as written); absent when missing. */
    Optional<String> optionalText(String name) {
        return field(name).map(value -> {
            if (!value.isValueNode()) {
                throw new SkipException("field '" + name + "' is not text");
            }
            return value.asText();
        });
    }

    /** A required text field. */
    String text(String name) {
        return optionalText(name).orElseThrow(() -> missing(name));
    }

    /** The first of these text fields that is present. */
    Optional<String> firstText(String... names) {
        for (String name : names) {
            Optional<String> value = optionalText(name);
            if (value.isPresent()) {
                return value;
            }
        }
        return Optional.empty();
    }

    /**
     * A field holding several strings: a JSON array, a Python list literal in a TSV cell (VLMEvalKit
     * writes {@code "['a', 'b']"} and reads it back with {@code eval}), or one plain string.
     */
    Optional<List<String>> optionalStrings(String name) {
        return field(name).map(value -> {
            if (value.isArray()) {
                List<String> strings = new ArrayList<>();
                for (JsonNode element : value) {
                    if (!element.isValueNode() || element.isNull()) {
                        throw new SkipException("field '" + name + "' holds a value that is not text");
                    }
                    strings.add(element.asText());
                }
                return strings;
            }
            if (!value.isValueNode()) {
                throw new SkipException("field '" + name + "' is neither text nor a list of texts");
            }
            return PythonLiteral.stringList(value.asText()).orElse(List.of(value.asText()));
        });
    }

    /** A required field of several strings (see {@link #optionalStrings}), with at least one. */
    List<String> strings(String name) {
        List<String> strings = optionalStrings(name).orElseThrow(() -> missing(name));
        if (strings.isEmpty()) {
            throw new SkipException("field '" + name + "' is an empty list");
        }
        return strings;
    }

    /**
     * The answer options by letter: an {@code options} list (Hugging Face layout, a JSON array or a
     * Python list literal) or the option columns {@code A}, {@code B}, ... of VLMEvalKit's TSV files,
     * of which every present cell is an option (VLMEvalKit skips empty ones without renumbering).
     */
    SequencedMap<String, String> options() {
        SequencedMap<String, String> options = new LinkedHashMap<>();
        Optional<List<String>> list = optionalStrings("options");
        if (list.isPresent()) {
            List<String> texts = list.get();
            for (int i = 0; i < texts.size(); i++) {
                options.put(String.valueOf((char) ('A' + i)), texts.get(i));
            }
            return options;
        }
        for (char letter : OPTION_LETTERS.toCharArray()) {
            String key = String.valueOf(letter);
            optionalText(key).ifPresent(text -> options.put(key, text));
        }
        return options;
    }

    private static SkipException missing(String name) {
        return new SkipException("missing field '" + name + "'");
    }
}
