package dev.jvlm.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jvlm.JvlmException;
import dev.jvlm.io.Json;
import dev.jvlm.io.Safetensors;
import dev.jvlm.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An input spec for {@code jvlm forward} / {@code jvlm grads}: token ids, optional attention mask,
 * the processor tensors of images, and how many greedy tokens to generate. Tensor fields are nested
 * JSON lists or {@code "file.safetensors[:name]"} relative to the spec file. Unknown fields are ignored.
 */
public record ForwardSpec(long[][] inputIds, int[][] attentionMask, int generate, Map<String, Tensor> imageInputs,
                          long[][] labels) {

    /** The processor outputs a spec may carry, by the names of the reference README. */
    static final List<String> IMAGE_FIELDS = List.of("pixel_values", "image_sizes", "image_grid_thw",
            "pixel_attention_mask", "token_type_ids", "video_grid_thw", "pixel_values_videos", "second_per_grid_ts");

    public static ForwardSpec read(Path file) {
        JsonNode root = Json.read(file);
        if (!root.isObject()) {
            throw new JvlmException(file + ": the input spec must be a JSON object");
        }
        Path base = file.toAbsolutePath().getParent();
        if (!root.has("input_ids")) {
            throw new JvlmException(file + ": missing \"input_ids\"");
        }
        long[][] ids = rows(tensor(root.get("input_ids"), "input_ids", file, base), "input_ids", file);
        int batch = ids.length;
        int tokens = ids[0].length;
        if (tokens == 0) {
            throw new JvlmException(file + ": \"input_ids\" is empty");
        }
        int[][] mask = null;
        if (root.hasNonNull("attention_mask")) {
            long[][] m = rows(tensor(root.get("attention_mask"), "attention_mask", file, base), "attention_mask", file);
            if (m.length != batch || m[0].length != tokens) {
                throw new JvlmException(file + ": \"attention_mask\" is [" + m.length + ", " + m[0].length
                        + "] but \"input_ids\" is [" + batch + ", " + tokens + "]");
            }
            mask = new int[batch][tokens];
            for (int b = 0; b < batch; b++) {
                for (int t = 0; t < tokens; t++) {
                    if (m[b][t] != 0 && m[b][t] != 1) {
                        throw new JvlmException(file + ": \"attention_mask\" must hold 0 or 1, found " + m[b][t]);
                    }
                    mask[b][t] = (int) m[b][t];
                }
            }
        }
        int generate = 0;
        if (root.hasNonNull("generate")) {
            JsonNode g = root.get("generate");
            if (!g.isIntegralNumber() || g.asInt() < 0) {
                throw new JvlmException(file + ": \"generate\" must be a non-negative integer, found " + g);
            }
            generate = g.asInt();
        }
        Map<String, Tensor> images = new LinkedHashMap<>();
        for (String f : IMAGE_FIELDS) {
            if (root.hasNonNull(f)) {
                images.put(f, tensor(root.get(f), f, file, base));
            }
        }
        long[][] labels = null;
        if (root.hasNonNull("labels")) {
            labels = rows(tensor(root.get("labels"), "labels", file, base), "labels", file);
            if (labels.length != batch || labels[0].length != tokens) {
                throw new JvlmException(file + ": \"labels\" is [" + labels.length + ", " + labels[0].length
                        + "] but \"input_ids\" is [" + batch + ", " + tokens + "]");
            }
        }
        return new ForwardSpec(ids, mask, generate, images, labels);
    }

    private static long[][] rows(Tensor t, String field, Path file) {
        int[] shape = t.shape();
        if (shape.length == 1) {
            shape = new int[] {1, shape[0]};
        }
        if (shape.length != 2) {
            throw new JvlmException(file + ": \"" + field + "\" must be [T] or [B, T], found rank " + t.rank());
        }
        long[] flat;
        try {
            flat = t.toLongs();
        } catch (IllegalStateException e) {
            throw new JvlmException(file + ": \"" + field + "\" must hold integers (" + e.getMessage() + ")");
        }
        long[][] out = new long[shape[0]][shape[1]];
        for (int b = 0; b < shape[0]; b++) {
            System.arraycopy(flat, b * shape[1], out[b], 0, shape[1]);
        }
        return out;
    }

    /** A nested JSON list or a safetensors reference, as a tensor. */
    static Tensor tensor(JsonNode node, String field, Path file, Path base) {
        if (node.isTextual()) {
            String ref = node.asText();
            int colon = ref.lastIndexOf(':');
            String path = colon > 0 && ref.substring(0, colon).endsWith(".safetensors") ? ref.substring(0, colon) : ref;
            String name = path.equals(ref) ? field : ref.substring(colon + 1);
            return Safetensors.open(base.resolve(path)).get(name);
        }
        if (!node.isArray()) {
            throw new JvlmException(file + ": \"" + field + "\" must be a nested list or \"file.safetensors[:name]\"");
        }
        List<Integer> shape = new ArrayList<>();
        JsonNode n = node;
        while (n.isArray()) {
            shape.add(n.size());
            if (n.isEmpty()) {
                break;
            }
            n = n.get(0);
        }
        int[] dims = shape.stream().mapToInt(Integer::intValue).toArray();
        int total = 1;
        for (int d : dims) {
            total *= d;
        }
        double[] values = new double[total];
        boolean[] integral = {true};
        int[] pos = {0};
        flatten(node, 0, dims, values, pos, integral, file, field);
        if (integral[0]) {
            long[] longs = new long[total];
            for (int i = 0; i < total; i++) {
                longs[i] = (long) values[i];
            }
            return Tensor.ofLongs(longs, dims);
        }
        float[] floats = new float[total];
        for (int i = 0; i < total; i++) {
            floats[i] = (float) values[i];
        }
        return Tensor.of(floats, dims);
    }

    private static void flatten(JsonNode node, int depth, int[] dims, double[] out, int[] pos, boolean[] integral,
                                Path file, String field) {
        if (depth == dims.length) {
            if (node.isBoolean()) {
                out[pos[0]++] = node.asBoolean() ? 1 : 0;
                return;
            }
            if (!node.isNumber()) {
                throw new JvlmException(file + ": \"" + field + "\" holds " + node + " where a number was expected");
            }
            integral[0] &= node.isIntegralNumber();
            out[pos[0]++] = node.asDouble();
            return;
        }
        if (!node.isArray() || node.size() != dims[depth]) {
            throw new JvlmException(file + ": \"" + field + "\" is ragged: expected " + dims[depth] + " entries at depth "
                    + depth + ", found " + (node.isArray() ? node.size() + " entries" : node.toString()));
        }
        for (JsonNode c : node) {
            flatten(c, depth + 1, dims, out, pos, integral, file, field);
        }
    }
}
