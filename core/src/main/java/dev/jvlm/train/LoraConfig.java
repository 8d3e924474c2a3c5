package dev.jvlm.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jvlm.JvlmException;
import dev.jvlm.io.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * PEFT's LoraConfig, the part jvlm uses, read from and written to {@code adapter_config.json}.
 *
 * @param targetModules      module names matched as PEFT matches a list (equal, or ending with "." +
 *                           name); ignored when {@code targetRegex} is set
 * @param targetRegex        a regular expression matched in full against module names, as PEFT
 *                           matches a string; null for a list
 * @param rankPattern        per-module rank overrides (PEFT's {@code rank_pattern}: keys matched as a
 *                           regex against the end of the module name)
 * @param alphaPattern       per-module alpha overrides
 * @param modulesToSave      modules trained in full and saved beside the adapter (e.g. lm_head)
 */
public record LoraConfig(int r, double alpha, double dropout, boolean useRslora, List<String> targetModules,
                         String targetRegex, Map<String, Integer> rankPattern, Map<String, Double> alphaPattern,
                         List<String> modulesToSave, String baseModel) {

    public LoraConfig {
        if (r <= 0) {
            throw new JvlmException("LoRA rank r must be positive, got " + r);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new JvlmException("lora_dropout must be in [0, 1), got " + dropout);
        }
        if (targetRegex != null) {
            try {
                Pattern.compile(targetRegex);
            } catch (PatternSyntaxException e) {
                throw new JvlmException("target_modules regex " + targetRegex + " is invalid: " + e.getDescription());
            }
        }
        targetModules = targetModules == null ? List.of() : List.copyOf(targetModules);
        rankPattern = rankPattern == null ? Map.of() : Map.copyOf(rankPattern);
        alphaPattern = alphaPattern == null ? Map.of() : Map.copyOf(alphaPattern);
        modulesToSave = modulesToSave == null ? List.of() : List.copyOf(modulesToSave);
    }

    /** Reads {@code adapter_config.json}; fields jvlm cannot honour are clear errors. */
    public static LoraConfig read(Path file) {
        JsonNode c = Json.read(file);
        String type = c.path("peft_type").asText("LORA");
        if (!type.equals("LORA")) {
            throw new JvlmException(file + ": peft_type \"" + type + "\" is not supported (only LORA)");
        }
        if (c.path("use_dora").asBoolean(false)) {
            throw new JvlmException(file + ": use_dora is not supported");
        }
        if (c.path("fan_in_fan_out").asBoolean(false)) {
            throw new JvlmException(file + ": fan_in_fan_out is not supported (no Conv1D layers in the supported families)");
        }
        String bias = c.path("bias").asText("none");
        if (!bias.equals("none")) {
            throw new JvlmException(file + ": bias \"" + bias + "\" is not supported (only \"none\")");
        }
        JsonNode targets = c.get("target_modules");
        List<String> names = new ArrayList<>();
        String regex = null;
        if (targets != null && targets.isTextual()) {
            regex = targets.asText();
        } else if (targets != null && targets.isArray()) {
            targets.forEach(t -> names.add(t.asText()));
        } else {
            throw new JvlmException(file + ": target_modules must be a list of names or a regular expression string");
        }
        Map<String, Integer> ranks = new LinkedHashMap<>();
        c.path("rank_pattern").properties().forEach(e -> ranks.put(e.getKey(), e.getValue().asInt()));
        Map<String, Double> alphas = new LinkedHashMap<>();
        c.path("alpha_pattern").properties().forEach(e -> alphas.put(e.getKey(), e.getValue().asDouble()));
        List<String> save = new ArrayList<>();
        c.path("modules_to_save").forEach(m -> save.add(m.asText()));
        return new LoraConfig(c.path("r").asInt(8), c.path("lora_alpha").asDouble(8), c.path("lora_dropout").asDouble(0),
                c.path("use_rslora").asBoolean(false), names, regex, ranks, alphas, save,
                c.path("base_model_name_or_path").asText(null));
    }

    /** Whether PEFT would adapt the module called {@code name}. */
    public boolean targets(String name) {
        if (targetRegex != null) {
            return Pattern.compile(targetRegex).matcher(name).matches();
        }
        for (String t : targetModules) {
            if (name.equals(t) || name.endsWith("." + t)) {
                return true;
            }
        }
        return false;
    }

    /** Rank for a module, after {@code rank_pattern}. */
    public int rankFor(String module) {
        return pattern(rankPattern, module, r);
    }

    /** Alpha for a module, after {@code alpha_pattern}. */
    public double alphaFor(String module) {
        return pattern(alphaPattern, module, alpha);
    }

    private static <T> T pattern(Map<String, T> patterns, String module, T def) {
        for (Map.Entry<String, T> e : patterns.entrySet()) {
            if (Pattern.compile("(.*\\.)?" + e.getKey() + "$").matcher(module).matches()) {
                return e.getValue();
            }
        }
        return def;
    }

    /** The adapter_config.json PEFT writes for this config (keys sorted, as PEFT does). */
    public ObjectNode toJson() {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.putObject("alpha_pattern").setAll(toNodes(alphaPattern));
        o.putNull("auto_mapping");
        if (baseModel == null) {
            o.putNull("base_model_name_or_path");
        } else {
            o.put("base_model_name_or_path", baseModel);
        }
        o.put("bias", "none");
        o.put("fan_in_fan_out", false);
        o.put("inference_mode", true);
        o.put("init_lora_weights", true);
        if (alpha == Math.rint(alpha)) {
            o.put("lora_alpha", (long) alpha);
        } else {
            o.put("lora_alpha", alpha);
        }
        o.put("lora_dropout", dropout);
        if (modulesToSave.isEmpty()) {
            o.putNull("modules_to_save");
        } else {
            modulesToSave.forEach(o.putArray("modules_to_save")::add);
        }
        o.put("peft_type", "LORA");
        o.put("r", r);
        o.putObject("rank_pattern").setAll(toNodes(rankPattern));
        if (targetRegex != null) {
            o.put("target_modules", targetRegex);
        } else {
            targetModules.stream().sorted().forEach(o.putArray("target_modules")::add);
        }
        o.put("task_type", "CAUSAL_LM");
        o.put("use_dora", false);
        o.put("use_rslora", useRslora);
        return o;
    }

    private static Map<String, JsonNode> toNodes(Map<String, ? extends Number> m) {
        Map<String, JsonNode> out = new java.util.TreeMap<>();
        m.forEach((k, v) -> out.put(k, Json.MAPPER.valueToTree(v)));
        return out;
    }
}
