package dev.jvlm.io;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jvlm.JvlmException;
import dev.jvlm.tensor.DType;
import dev.jvlm.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes a Hugging Face model directory (config.json, generation_config.json, model.safetensors and
 * tokenizer files). Everything is written into a hidden sibling folder that is renamed into place at
 * the end, so a failure never leaves a half-written model that looks complete.
 */
public final class ModelWriter {
    /** Files that carry the tokenizer, chat template and processor settings of a model. */
    public static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "added_tokens.json", "chat_template.json", "chat_template.jinja",
            "tokenizer.model", "vocab.json", "merges.txt", "preprocessor_config.json", "processor_config.json");

    private ModelWriter() {
    }

    /** A new model from a config (e.g. {@code jvlm init}): config.json with torch_dtype, generation_config.json, weights. */
    public static void write(Path output, ConfigNode config, Map<String, Tensor> tensors, DType dtype, Path tokenizerDir) {
        writeAtomically(output, tensors, tmp -> {
            ObjectNode cfg = config.node().deepCopy();
            cfg.put("torch_dtype", switch (dtype) {
                case BF16 -> "bfloat16";
                case F16 -> "float16";
                default -> "float32";
            });
            Files.writeString(tmp.resolve("config.json"), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(cfg));
            ObjectNode gen = Json.MAPPER.createObjectNode();
            for (String key : List.of("bos_token_id", "eos_token_id", "pad_token_id")) {
                if (config.raw(key) != null) {
                    gen.set(key, config.raw(key));
                } else if (config.child("text_config").raw(key) != null) {
                    gen.set(key, config.child("text_config").raw(key));
                }
            }
            Files.writeString(tmp.resolve("generation_config.json"), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(gen));
            if (tokenizerDir != null && copyFiles(tokenizerDir, tmp, TOKENIZER_FILES) == 0) {
                throw new JvlmException(tokenizerDir + ": no tokenizer files (expected tokenizer.json and tokenizer_config.json)");
            }
        });
    }

    /**
     * A model derived from another one (e.g. {@code jvlm merge}): its config, generation config,
     * tokenizer and processor files copied unchanged, with new weights.
     */
    public static void writeDerived(Path output, Path source, Map<String, Tensor> tensors) {
        writeDerived(output, source, tensors, false);
    }

    /**
     * {@link #writeDerived(Path, Path, Map)}; with {@code untieEmbeddings} the new config.json says
     * {@code tie_word_embeddings: false} (at the top and in {@code text_config}, wherever a
     * transformers version looks), for weights that give the output projection its own tensor.
     */
    public static void writeDerived(Path output, Path source, Map<String, Tensor> tensors, boolean untieEmbeddings) {
        writeAtomically(output, tensors, tmp -> {
            List<String> files = new java.util.ArrayList<>(List.of("config.json", "generation_config.json"));
            files.addAll(TOKENIZER_FILES);
            copyFiles(source, tmp, files);
            if (untieEmbeddings) {
                Path config = tmp.resolve("config.json");
                ObjectNode cfg = (ObjectNode) Json.read(config);
                cfg.put("tie_word_embeddings", false);
                if (cfg.get("text_config") instanceof ObjectNode text) {
                    text.put("tie_word_embeddings", false);
                }
                Files.writeString(config, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(cfg));
            }
        });
    }

    private interface DirectoryFiller {
        void fill(Path dir) throws IOException;
    }

    private static int copyFiles(Path from, Path to, List<String> names) throws IOException {
        int copied = 0;
        for (String f : names) {
            Path src = from.resolve(f);
            if (Files.isRegularFile(src)) {
                Files.copy(src, to.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                copied++;
            }
        }
        return copied;
    }

    private static void writeAtomically(Path output, Map<String, Tensor> tensors, DirectoryFiller filler) {
        if (Files.exists(output)) {
            try (Stream<Path> s = Files.list(output)) {
                if (s.findAny().isPresent()) {
                    throw new JvlmException(output + ": output directory exists and is not empty; choose a new one");
                }
            } catch (IOException e) {
                throw new JvlmException(output + ": exists and cannot be listed (" + e.getMessage() + ")");
            }
        }
        Path abs = output.toAbsolutePath();
        Path tmp = abs.resolveSibling("." + abs.getFileName() + ".partial");
        try {
            deleteTree(tmp);
            Files.createDirectories(tmp);
            filler.fill(tmp);
            Safetensors.write(tmp.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
            if (Files.exists(output)) {
                Files.delete(output);
            }
            Files.move(tmp, output, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new JvlmException(output + ": cannot write the model (" + e.getMessage() + ")", e);
        } finally {
            deleteTree(tmp);
        }
    }

    private static void deleteTree(Path dir) {
        try {
            Dirs.deleteTree(dir);
        } catch (IOException ignored) {
            // leftovers carry the hidden .partial name and are removed by the next attempt
        }
    }
}
