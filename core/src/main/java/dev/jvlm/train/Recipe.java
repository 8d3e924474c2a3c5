package dev.jvlm.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.jvlm.JvlmException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A fine-tuning recipe ({@code jvlm finetune --config recipe.yaml}), in the spirit of NeMo AutoModel's
 * vlm_finetune recipes. Every key is checked: an unknown key or an impossible value is an error that
 * names it. The schema is documented in docs/FINETUNE.md.
 */
public record Recipe(String model, Path outputDir, Data train, Data validation, int maxLength, Lora lora, Freeze freeze,
                     Trainer.Options options, boolean activationCheckpointing, Path source) {

    /** A dataset: its format, path, and how many samples to use (0: all). */
    public record Data(String format, Path path, int limit) {
    }

    /** PEFT settings; null in a recipe means full fine-tuning. */
    public record Lora(int r, double alpha, double dropout, boolean rslora, JsonNode targetModules, List<String> modulesToSave) {
    }

    /** Which parts stay frozen in full fine-tuning. */
    public record Freeze(boolean visionTower, boolean projector, boolean languageModel, boolean embeddings) {
    }

    static final Set<String> FORMATS = Set.of("jsonl", "parquet", "folder", "rdr-items", "cord-v2", "llava-instruct-mix");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** Reads a recipe and applies {@code overrides} ("section.key" → YAML value) first. */
    public static Recipe read(Path file, Map<String, String> overrides) {
        JsonNode root;
        try {
            root = YAML.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new JvlmException(file + ": file not found");
        } catch (IOException e) {
            throw new JvlmException(file + ": invalid YAML (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (root == null || !root.isObject()) {
            throw new JvlmException(file + ": a recipe must be a YAML mapping");
        }
        ObjectNode tree = (ObjectNode) root;
        overrides.forEach((key, value) -> set(tree, key, value, file));
        return parse(tree, file);
    }

    private static void set(ObjectNode tree, String key, String value, Path file) {
        String[] parts = key.split("\\.");
        ObjectNode node = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = node.get(parts[i]);
            if (child == null || child.isNull()) {
                child = node.putObject(parts[i]);
            } else if (!child.isObject()) {
                throw new JvlmException("override " + key + ": " + parts[i] + " in " + file + " is not a section");
            }
            node = (ObjectNode) child;
        }
        try {
            node.set(parts[parts.length - 1], YAML.readTree(value));
        } catch (IOException e) {
            throw new JvlmException("override " + key + "=" + value + " is not a YAML value");
        }
    }

    private static Recipe parse(ObjectNode root, Path file) {
        Section r = new Section(root, "", file);
        r.only("model", "output_dir", "data", "peft", "freeze", "optimizer", "scheduler", "training", "eval", "checkpoint");
        String model = r.string("model", null);
        if (model == null) {
            throw new JvlmException(file + ": missing \"model\" (a model directory or Hub id)");
        }
        Path base = file.toAbsolutePath().getParent();
        String out = r.string("output_dir", null);
        if (out == null) {
            throw new JvlmException(file + ": missing \"output_dir\"");
        }
        Section data = r.section("data");
        data.only("train", "validation", "max_length");
        Data train = data(data.section("train"), base, true);
        Data val = data.has("validation") ? data(data.section("validation"), base, false) : null;
        int maxLength = data.integer("max_length", 2048, 16, Integer.MAX_VALUE);

        Lora lora = null;
        if (r.has("peft")) {
            Section p = r.section("peft");
            p.only("r", "lora_alpha", "lora_dropout", "use_rslora", "target_modules", "modules_to_save");
            int rank = p.integer("r", 8, 1, 4096);
            lora = new Lora(rank, p.number("lora_alpha", 2.0 * rank, 0, 1e6), p.number("lora_dropout", 0.0, 0, 0.99),
                    p.bool("use_rslora", false), p.node.get("target_modules"), p.names("modules_to_save"));
        }
        Section f = r.section("freeze");
        f.only("vision_tower", "projector", "language_model", "embeddings");
        Freeze freeze = new Freeze(f.bool("vision_tower", true), f.bool("projector", false), f.bool("language_model", false),
                f.bool("embeddings", false));

        Section o = r.section("optimizer");
        o.only("name", "lr", "weight_decay", "betas", "eps", "momentum");
        String optName = o.string("name", "adamw");
        double[] betas = {0.9, 0.999};
        JsonNode b = o.has("betas") ? o.node.get("betas") : null;
        if (b != null) {
            if (!b.isArray() || b.size() != 2 || !b.get(0).isNumber() || !b.get(1).isNumber()) {
                throw new JvlmException(file + ": optimizer.betas must be a list of two numbers");
            }
            betas = new double[] {b.get(0).asDouble(), b.get(1).asDouble()};
        }
        Section s = r.section("scheduler");
        s.only("name", "warmup_steps", "min_lr_ratio");
        Section t = r.section("training");
        t.only("max_steps", "batch_size", "grad_accumulation", "max_grad_norm", "seed", "activation_checkpointing");
        Section e = r.section("eval");
        e.only("every");
        Section c = r.section("checkpoint");
        c.only("every", "keep");
        int maxSteps = t.integer("max_steps", 100, 1, Integer.MAX_VALUE);
        Trainer.Options options = new Trainer.Options(maxSteps, t.integer("batch_size", 1, 1, 4096),
                t.integer("grad_accumulation", 1, 1, 65536), optName, o.number("lr", lora != null ? 1e-4 : 1e-5, 1e-12, 10),
                o.number("weight_decay", 0.0, 0, 10), betas[0], betas[1], o.number("eps", 1e-8, 0, 1),
                o.number("momentum", 0.0, 0, 1), s.string("name", "cosine"), s.integer("warmup_steps", 0, 0, Integer.MAX_VALUE),
                s.number("min_lr_ratio", 0.0, 0, 1), t.number("max_grad_norm", 1.0, 0, 1e9), t.integer("seed", 42, 0, Integer.MAX_VALUE),
                e.integer("every", 0, 0, Integer.MAX_VALUE), c.integer("every", maxSteps, 1, Integer.MAX_VALUE),
                c.integer("keep", 2, 0, 1000));
        Optimizer.create(optName, 0, 0.9, 0.999, 1e-8, 0);
        new Schedule(options.schedule(), options.lr(), options.warmupSteps(), maxSteps, options.minLrRatio());
        // A model path is read relative to the recipe when it names a folder there.
        if (java.nio.file.Files.isDirectory(base.resolve(model))) {
            model = base.resolve(model).toString();
        }
        return new Recipe(model, base.resolve(out), train, val, maxLength, lora, freeze, options,
                t.bool("activation_checkpointing", true), file);
    }

    private static Data data(Section d, Path base, boolean required) {
        d.only("format", "path", "limit");
        String format = d.string("format", null);
        String path = d.string("path", null);
        if (format == null || path == null) {
            throw new JvlmException(d.file + ": data." + d.where + " needs \"format\" and \"path\"");
        }
        if (!FORMATS.contains(format)) {
            throw new JvlmException(d.file + ": data." + d.where + ".format \"" + format + "\" is not one of " + List.copyOf(FORMATS));
        }
        return new Data(format, base.resolve(path), d.integer("limit", 0, 0, Integer.MAX_VALUE));
    }

    /** One mapping of the recipe with typed, range-checked getters that name the key in errors. */
    private record Section(JsonNode node, String where, Path file) {
        Section {
            if (node != null && !node.isObject() && !node.isNull()) {
                throw new JvlmException(file + ": \"" + where + "\" must be a mapping");
            }
        }

        boolean has(String key) {
            return node != null && node.hasNonNull(key);
        }

        Section section(String key) {
            JsonNode child = node == null ? null : node.get(key);
            return new Section(child == null || child.isNull() ? null : child, where.isEmpty() ? key : where + "." + key, file);
        }

        void only(String... keys) {
            if (node == null) {
                return;
            }
            List<String> allowed = List.of(keys);
            List<String> unknown = new ArrayList<>();
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!allowed.contains(k)) {
                    unknown.add(k);
                }
            }
            if (!unknown.isEmpty()) {
                throw new JvlmException(file + ": unknown key \"" + (where.isEmpty() ? "" : where + ".") + unknown.getFirst()
                        + "\" (expected one of " + String.join(", ", allowed) + ")");
            }
        }

        private String name(String key) {
            return where.isEmpty() ? key : where + "." + key;
        }

        String string(String key, String def) {
            if (!has(key)) {
                return def;
            }
            JsonNode v = node.get(key);
            if (!v.isValueNode()) {
                throw new JvlmException(file + ": \"" + name(key) + "\" must be a string");
            }
            return v.asText();
        }

        /** A list of non-empty names (a single name is a list of one); empty when absent. */
        List<String> names(String key) {
            if (!has(key)) {
                return List.of();
            }
            JsonNode v = node.get(key);
            List<String> out = new ArrayList<>();
            for (JsonNode n : v.isArray() ? v : List.of(v)) {
                if (!n.isTextual() || n.asText().isEmpty()) {
                    throw new JvlmException(file + ": \"" + name(key) + "\" must be a list of module names, found " + v);
                }
                out.add(n.asText());
            }
            return out;
        }

        boolean bool(String key, boolean def) {
            if (!has(key)) {
                return def;
            }
            JsonNode v = node.get(key);
            if (!v.isBoolean()) {
                throw new JvlmException(file + ": \"" + name(key) + "\" must be true or false, found " + v);
            }
            return v.asBoolean();
        }

        int integer(String key, int def, int min, int max) {
            if (!has(key)) {
                return def;
            }
            JsonNode v = node.get(key);
            if (!v.isIntegralNumber() || v.asLong() < min || v.asLong() > max) {
                throw new JvlmException(file + ": \"" + name(key) + "\" must be an integer in [" + min + ", " + max + "], found " + v);
            }
            return v.asInt();
        }

        double number(String key, double def, double min, double max) {
            if (!has(key)) {
                return def;
            }
            JsonNode v = node.get(key);
            double d = Double.NaN;
            if (v.isNumber()) {
                d = v.asDouble();
            } else if (v.isTextual()) {
                // YAML 1.1 reads 1e-4 (no dot) as a string; users write learning rates that way.
                try {
                    d = Double.parseDouble(v.asText());
                } catch (NumberFormatException ignored) {
                    // reported below
                }
            }
            if (!(d >= min && d <= max)) {
                throw new JvlmException(file + ": \"" + name(key) + "\" must be a number in [" + min + ", " + max + "], found " + v);
            }
            return d;
        }
    }
}
