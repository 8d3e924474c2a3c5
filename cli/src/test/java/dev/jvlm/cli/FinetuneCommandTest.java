package dev.jvlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvlm.io.Json;
import dev.jvlm.io.Safetensors;
import dev.jvlm.models.TestData;
import dev.jvlm.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A short real training run on the synthetic task: the demo model's recipe, shrunk to a minute. */
class FinetuneCommandTest {
    @TempDir
    static Path tmp;

    @BeforeAll
    static void data() {
        CliRunner synth = CliRunner.run("synth", "--output", tmp.resolve("data").toString(), "--train", "400", "--val", "40",
                "--model-files", tmp.resolve("files").toString());
        assertEquals(0, synth.exitCode(), synth.err());
        CliRunner init = CliRunner.run("init", "--config", tmp.resolve("files/config.json").toString(), "--tokenizer",
                tmp.resolve("files").toString(), "--output", tmp.resolve("init").toString(), "--seed", "1");
        assertEquals(0, init.exitCode(), init.err());
    }

    private static Path recipe(String name, String extra) throws IOException {
        Path r = tmp.resolve(name + ".yaml");
        Files.writeString(r, """
                model: init
                output_dir: %s
                data:
                  train: {format: jsonl, path: data/train.jsonl}
                  validation: {format: jsonl, path: data/val.jsonl}
                  max_length: 128
                optimizer: {name: adamw, lr: 3e-3}
                scheduler: {name: cosine, warmup_steps: 5}
                training: {max_steps: 40, batch_size: 4, seed: 3}
                eval: {every: 20}
                checkpoint: {every: 20, keep: 1}
                %s
                """.formatted(name, extra));
        return r;
    }

    @Test
    void fullFineTuningOfTheDemoArchitectureLowersTheLoss() throws IOException {
        CliRunner r = CliRunner.run("finetune", "--config", recipe("full", "freeze: {vision_tower: false}").toString());
        assertEquals(0, r.exitCode(), r.err());
        List<Double> losses = Files.readAllLines(tmp.resolve("full/metrics.jsonl")).stream()
                .map(l -> Json.parse(l, "metrics")).filter(n -> n.has("loss")).map(n -> n.get("loss").asDouble()).toList();
        assertEquals(40, losses.size());
        double first = losses.subList(0, 5).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double last = losses.subList(35, 40).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertTrue(last < 0.6 * first, "loss falls: " + first + " -> " + last);
        assertTrue(Files.isRegularFile(tmp.resolve("full/model/model.safetensors")));
        assertTrue(Files.isRegularFile(tmp.resolve("full/model/tokenizer.json")));
        assertTrue(r.err().contains("trained 40 steps on 400 samples (none skipped)"), r.err());
        CliRunner chat = CliRunner.run("chat", "--model", tmp.resolve("full/model").toString(), "--image",
                tmp.resolve("data/images/train_000000.png").toString(), "--max-tokens", "3", "What colour is the star?");
        assertEquals(0, chat.exitCode(), chat.err());
    }

    @Test
    void loraRunWritesAPeftAdapterAndResumeFinishesIt() throws IOException {
        Path recipe = recipe("lora", "peft: {r: 4, lora_alpha: 8}");
        CliRunner first = CliRunner.run("finetune", "--config", recipe.toString(), "--max-steps", "40");
        assertEquals(0, first.exitCode(), first.err());
        assertTrue(Files.isRegularFile(tmp.resolve("lora/adapter/adapter_config.json")));
        CliRunner again = CliRunner.run("finetune", "--config", recipe.toString());
        assertEquals(1, again.exitCode());
        assertTrue(again.err().contains("holds a previous run"), again.err());
        CliRunner resumed = CliRunner.run("finetune", "--config", recipe.toString(), "--resume");
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertTrue(resumed.err().contains("trained 0 steps"), resumed.err());
    }

    /** modules_to_save from the command line: saved beside the adapter, applied by --adapter, folded in by merge. */
    @Test
    void modulesToSaveTrainBesideLoraAndMergeIntoTheSameModel() throws IOException {
        Path recipe = recipe("saved", "peft: {r: 4, lora_alpha: 8}");
        CliRunner run = CliRunner.run("finetune", "--config", recipe.toString(), "--max-steps", "4",
                "--set", "peft.modules_to_save=[lm_head, connector]");
        assertEquals(0, run.exitCode(), run.err());
        Path adapter = tmp.resolve("saved/adapter");
        assertEquals(List.of("lm_head", "connector"),
                Json.MAPPER.convertValue(Json.read(adapter.resolve("adapter_config.json")).get("modules_to_save"), List.class));
        var tensors = Safetensors.open(adapter.resolve("adapter_model.safetensors")).tensors();
        assertTrue(tensors.containsKey("base_model.model.lm_head.weight"), tensors.keySet().toString());
        assertTrue(tensors.containsKey("base_model.model.model.connector.modality_projection.proj.weight"), tensors.keySet().toString());

        Path spec = tmp.resolve("saved-spec.json");
        Files.writeString(spec, "{\"input_ids\": [[1, 5, 6, 7, 8, 9]]}");
        Path init = tmp.resolve("init");
        CliRunner base = CliRunner.run("forward", "--model", init.toString(), "--input", spec.toString(), "--output",
                tmp.resolve("saved-base.safetensors").toString());
        CliRunner withAdapter = CliRunner.run("forward", "--model", init.toString(), "--adapter", adapter.toString(), "--input",
                spec.toString(), "--output", tmp.resolve("saved-adapter.safetensors").toString());
        CliRunner merge = CliRunner.run("merge", "--model", init.toString(), "--adapter", adapter.toString(), "--output",
                tmp.resolve("saved-merged").toString());
        assertEquals(0, merge.exitCode(), merge.err());
        CliRunner merged = CliRunner.run("forward", "--model", tmp.resolve("saved-merged").toString(), "--input", spec.toString(),
                "--output", tmp.resolve("saved-merged.safetensors").toString());
        for (CliRunner r : List.of(base, withAdapter, merged)) {
            assertEquals(0, r.exitCode(), r.err());
        }
        Tensor adapted = Safetensors.open(tmp.resolve("saved-adapter.safetensors")).get("logits");
        assertTrue(TestData.relativeError(Safetensors.open(tmp.resolve("saved-base.safetensors")).get("logits"), adapted) > 1e-4,
                "the adapter changes the logits");
        TestData.assertClose(Safetensors.open(tmp.resolve("saved-merged.safetensors")).get("logits"), adapted, 1e-5, "merged");
    }

    /** jvlm eval --adapter scores the adapted model: the same predictions as the merged checkpoint, and its own run. */
    @Test
    void evalWithAnAdapterScoresTheAdaptedModel() throws IOException {
        Path recipe = recipe("evaluated", "peft: {r: 4, lora_alpha: 8}");
        CliRunner run = CliRunner.run("finetune", "--config", recipe.toString(), "--max-steps", "20");
        assertEquals(0, run.exitCode(), run.err());
        Path init = tmp.resolve("init");
        Path adapter = tmp.resolve("evaluated/adapter");
        CliRunner merge = CliRunner.run("merge", "--model", init.toString(), "--adapter", adapter.toString(), "--output",
                tmp.resolve("evaluated-merged").toString());
        assertEquals(0, merge.exitCode(), merge.err());
        String data = tmp.resolve("data/val.jsonl").toString();
        CliRunner withAdapter = CliRunner.run("eval", "--model", init.toString(), "--adapter", adapter.toString(), "--benchmark",
                "synth", "--data", data, "--limit", "12", "--output", tmp.resolve("eval-adapter").toString());
        CliRunner merged = CliRunner.run("eval", "--model", tmp.resolve("evaluated-merged").toString(), "--benchmark", "synth",
                "--data", data, "--limit", "12", "--output", tmp.resolve("eval-merged").toString());
        CliRunner base = CliRunner.run("eval", "--model", init.toString(), "--benchmark", "synth", "--data", data, "--limit", "12",
                "--output", tmp.resolve("eval-base").toString());
        for (CliRunner r : List.of(withAdapter, merged, base)) {
            assertEquals(0, r.exitCode(), r.err());
        }
        List<String> adapted = predictions(tmp.resolve("eval-adapter"));
        assertEquals(predictions(tmp.resolve("eval-merged")), adapted);
        assertNotEquals(predictions(tmp.resolve("eval-base")), adapted, "the adapter changes the answers");
        assertTrue(withAdapter.out().contains("+ adapter " + adapter.toAbsolutePath().normalize()), withAdapter.out());
        CliRunner other = CliRunner.run("eval", "--model", init.toString(), "--benchmark", "synth", "--data", data, "--limit", "12",
                "--output", tmp.resolve("eval-adapter").toString());
        assertEquals(1, other.exitCode());
        assertTrue(other.err().contains("give another --output"), other.err());
    }

    private static List<String> predictions(Path dir) throws IOException {
        return Files.readAllLines(dir.resolve("predictions.jsonl")).stream()
                .map(l -> Json.parse(l, "predictions").get("prediction").asText()).toList();
    }

    @Test
    void recipeMistakesNameTheKey() throws IOException {
        CliRunner unknown = CliRunner.run("finetune", "--config", recipe("bad", "training: {max_stepz: 3}").toString());
        assertEquals(1, unknown.exitCode());
        assertTrue(unknown.err().contains("unknown key \"training.max_stepz\""), unknown.err());
        Path r = tmp.resolve("bad2.yaml");
        Files.writeString(r, "model: init\noutput_dir: x\ndata: {train: {format: csv, path: data/train.jsonl}}\n");
        CliRunner format = CliRunner.run("finetune", "--config", r.toString());
        assertTrue(format.err().contains("data.train.format \"csv\" is not one of"), format.err());
        // Sections left out take their defaults (here optimizer, and the checks after it still run).
        Files.writeString(r, "model: init\noutput_dir: x\ndata: {train: {format: jsonl, path: data/train.jsonl}}\ntraining: {batch_sise: 2}\n");
        CliRunner sparse = CliRunner.run("finetune", "--config", r.toString());
        assertEquals(1, sparse.exitCode());
        assertTrue(sparse.err().contains("unknown key \"training.batch_sise\""), sparse.err());
        CliRunner range = CliRunner.run("finetune", "--config", recipe("bad3", "").toString(), "--set", "optimizer.lr=-1");
        assertTrue(range.err().contains("\"optimizer.lr\" must be a number in"), range.err());
        CliRunner saved = CliRunner.run("finetune", "--config", recipe("bad4", "peft: {r: 4}").toString(), "--set",
                "peft.modules_to_save=[3]");
        assertTrue(saved.err().contains("\"peft.modules_to_save\" must be a list of module names, found [3]"), saved.err());
    }
}
