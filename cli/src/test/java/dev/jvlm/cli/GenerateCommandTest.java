package dev.jvlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvlm.generate.Generator;
import dev.jvlm.generate.SamplingParams;
import dev.jvlm.models.LanguageModel;
import dev.jvlm.models.TestData;
import dev.jvlm.text.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateCommandTest {
    @TempDir
    static Path tmp;

    static Path model;

    /** A random Llama with GPT-2's real tokenizer. */
    @BeforeAll
    static void makeModel() throws IOException {
        Path cfg = tmp.resolve("config.json");
        Files.writeString(cfg, """
                {"model_type": "llama", "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
                 "num_key_value_heads": 2, "intermediate_size": 64, "vocab_size": 50257, "bos_token_id": 50256,
                 "eos_token_id": 50256}""");
        model = tmp.resolve("model");
        CliRunner init = CliRunner.run("init", "--config", cfg.toString(), "--tokenizer", TestData.tokenizerDir("gpt2").toString(),
                "--output", model.toString(), "--seed", "5");
        assertEquals(0, init.exitCode(), init.err());
    }

    @Test
    void greedyOutputIsTheDecodedGreedyTokens() {
        CliRunner r = CliRunner.run("generate", "--model", model.toString(), "--max-tokens", "6", "Hello world");
        assertEquals(0, r.exitCode(), r.err());
        Tokenizer tok = Tokenizer.load(model);
        long[] prompt = Arrays.stream(tok.encode("Hello world", true)).asLongStream().toArray();
        long[] ids = Generator.generate(LanguageModel.load(model), new long[][] {prompt}, SamplingParams.greedy(6), null, null).tokens()[0];
        String expected = tok.decode(Arrays.stream(ids).mapToInt(v -> (int) v).toArray(), true);
        assertEquals(expected + "\n", r.out());
        assertTrue(r.err().matches("(?s)\\[2 prompt tokens, \\d+ generated \\((length|stop_token)\\) in .*tok/s decode]\\s*"), r.err());
    }

    @Test
    void stopStringIsNeverShown() {
        CliRunner free = CliRunner.run("generate", "--model", model.toString(), "--max-tokens", "8", "The cat");
        String text = free.out().substring(0, free.out().length() - 1);
        assertTrue(text.length() > 3, text);
        String stop = text.substring(2, 4);
        CliRunner stopped = CliRunner.run("generate", "--model", model.toString(), "--max-tokens", "8", "--stop", stop, "The cat");
        assertEquals(text.substring(0, text.indexOf(stop)) + "\n", stopped.out());
        assertFalse(stopped.out().contains(stop));
    }

    @Test
    void seededSamplingRepeats() {
        String[] args = {"generate", "--model", model.toString(), "--max-tokens", "10", "--temperature", "1.2", "--seed", "3", "Once"};
        assertEquals(CliRunner.run(args).out(), CliRunner.run(args).out());
        CliRunner bad = CliRunner.run("generate", "--model", model.toString(), "--top-p", "0", "Once");
        assertEquals(1, bad.exitCode());
        assertEquals("jvlm: top-p must be in (0, 1], got 0.0\n", bad.err());
    }
}
