package dev.jvlm.vision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

/**
 * Reads {@code preprocessor_config.json}, {@code processor_config.json} and {@code config.json}
 * values with Hugging Face's defaults for absent (or {@code null}) keys.
 */
final class ConfigJson {

    /** CLIP's normalisation constants ({@code OPENAI_CLIP_MEAN}, {@code OPENAI_CLIP_STD}). */
    static final double[] OPENAI_CLIP_MEAN = {0.48145466, 0.4578275, 0.40821073};
    static final double[] OPENAI_CLIP_STD = {0.26862954, 0.26130258, 0.27577711};
    /** {@code IMAGENET_STANDARD_MEAN} / {@code IMAGENET_STANDARD_STD}. */
    static final double[] IMAGENET_STANDARD_MEAN = {0.5, 0.5, 0.5};
    static final double[] IMAGENET_STANDARD_STD = {0.5, 0.5, 0.5};

    private final JsonNode node;
    private final String source;

    ConfigJson(JsonNode node, String source) {
        this.node = node == null ? MissingNode.getInstance() : node;
        this.source = source;
    }

    /** The value under {@code key}, or null when absent or JSON null. */
    JsonNode get(String key) {
        JsonNode v = node.path(key);
        return v.isMissingNode() || v.isNull() ? null : v;
    }

    ConfigJson child(String key) {
        return new ConfigJson(get(key), source + "." + key);
    }

    boolean has(String key) {
        return get(key) != null;
    }

    boolean bool(String key, boolean fallback) {
        JsonNode v = get(key);
        if (v == null) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw invalid(key, "true or false", v);
        }
        return v.booleanValue();
    }

    int integer(String key, int fallback) {
        JsonNode v = get(key);
        if (v == null) {
            return fallback;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw invalid(key, "an integer", v);
        }
        return v.intValue();
    }

    double number(String key, double fallback) {
        JsonNode v = get(key);
        if (v == null) {
            return fallback;
        }
        if (!v.isNumber()) {
            throw invalid(key, "a number", v);
        }
        return v.doubleValue();
    }

    String text(String key, String fallback) {
        JsonNode v = get(key);
        if (v == null) {
            return fallback;
        }
        if (!v.isTextual()) {
            throw invalid(key, "a string", v);
        }
        return v.textValue();
    }

    Resample resample(Resample fallback) {
        JsonNode v = get("resample");
        if (v == null) {
            return fallback;
        }
        if (!v.isIntegralNumber()) {
            throw invalid("resample", "a Pillow filter number 0 to 5", v);
        }
        return Resample.fromPillowCode(v.intValue());
    }

    /**
     * A mean or std entry: a list of three numbers, or one number used for every channel (as
     * Hugging Face's {@code normalize} accepts).
     */
    double[] channelValues(String key, double[] fallback) {
        JsonNode v = get(key);
        if (v == null) {
            return fallback.clone();
        }
        if (v.isNumber()) {
            return new double[]{v.doubleValue(), v.doubleValue(), v.doubleValue()};
        }
        if (!v.isArray() || v.size() != 3) {
            throw invalid(key, "a number or a list of 3 numbers (one per RGB channel)", v);
        }
        double[] out = new double[3];
        for (int i = 0; i < 3; i++) {
            if (!v.get(i).isNumber()) {
                throw invalid(key, "a list of 3 numbers", v);
            }
            out[i] = v.get(i).doubleValue();
        }
        return out;
    }

    /**
     * A size entry as {@code get_size_dict} reads it: a dict with {@code shortest_edge},
     * {@code longest_edge} or {@code height} and {@code width}; a bare integer means a square
     * when {@code defaultToSquare} and a shortest edge otherwise.
     */
    TargetSize size(String key, TargetSize fallback, boolean defaultToSquare) {
        JsonNode v = get(key);
        if (v == null) {
            return fallback;
        }
        if (v.isIntegralNumber()) {
            return defaultToSquare ? new TargetSize.Exact(v.intValue(), v.intValue()) : new TargetSize.ShortestEdge(v.intValue());
        }
        ConfigJson dict = child(key);
        if (dict.has("height") && dict.has("width")) {
            return new TargetSize.Exact(positive(dict, "height"), positive(dict, "width"));
        }
        if (dict.has("shortest_edge")) {
            return new TargetSize.ShortestEdge(positive(dict, "shortest_edge"));
        }
        if (dict.has("longest_edge")) {
            return new TargetSize.LongestEdge(positive(dict, "longest_edge"));
        }
        throw invalid(key, "{\"shortest_edge\": n}, {\"longest_edge\": n} or {\"height\": h, \"width\": w}", v);
    }

    /** A size that must be an explicit height and width (a bare integer means a square). */
    TargetSize.Exact exactSize(String key, TargetSize.Exact fallback) {
        if (size(key, fallback, true) instanceof TargetSize.Exact exact) {
            return exact;
        }
        throw invalid(key, "{\"height\": h, \"width\": w}", get(key));
    }

    int positive(String key, int fallback) {
        int v = integer(key, fallback);
        if (v < 1) {
            throw invalid(key, "a positive integer", get(key));
        }
        return v;
    }

    private static int positive(ConfigJson dict, String key) {
        return dict.positive(key, 0);
    }

    IllegalArgumentException invalid(String key, String expected, JsonNode actual) {
        return new IllegalArgumentException(source + ": \"" + key + "\" must be " + expected + ", got " + actual);
    }
}
