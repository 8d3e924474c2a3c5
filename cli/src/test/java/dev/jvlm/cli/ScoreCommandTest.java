package dev.jvlm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jvlm.tensor.Parallel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScoreCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** What one run of the command left behind. */
    private record Run(int exitCode, List<String> out, String err) {
    }

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = Main.commandLine()
                .setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err));
        String[] full = new String[args.length + 1];
        full[0] = "score";
        System.arraycopy(args, 0, full, 1, args.length);
        int before = Parallel.threads();
        int exitCode;
        try {
            exitCode = command.execute(full);
        } finally {
            Parallel.setThreads(before);
        }
        List<String> lines = out.toString().lines().toList();
        return new Run(exitCode, lines, err.toString());
    }

    private Path jsonl(String... lines) throws IOException {
        Path file = dir.resolve("items.jsonl");
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return file;
    }

    private static JsonNode parse(String line) throws IOException {
        return JSON.readTree(line);
    }

    @Test
    void scoresEachLineInOrderThenSummarizes() throws IOException {
        Path input = jsonl(
                "{\"id\": \"q1\", \"prediction\": \"abc\", \"references\": [\"abcde\"]}",
                "{\"id\": \"q2\", \"prediction\": \"Hello World\", \"references\": [\"hello world\"]}",
                "",
                "{\"id\": 3, \"prediction\": \"xyz\", \"references\": [\"abc\"]}");

        Run run = run("--metric", "anls", "--input", input.toString());

        assertEquals(0, run.exitCode(), run.err());
        assertEquals(4, run.out().size());
        assertEquals(parse("{\"id\": \"q1\", \"score\": 0.6}"), parse(run.out().get(0)));
        assertEquals(parse("{\"id\": \"q2\", \"score\": 1.0}"), parse(run.out().get(1)));
        assertEquals(parse("{\"id\": 3, \"score\": 0.0}"), parse(run.out().get(2)));
        JsonNode summary = parse(run.out().get(3)).get("summary");
        assertEquals("anls", summary.get("metric").asText());
        assertEquals(3, summary.get("n").asInt());
        assertEquals(1.6 / 3, summary.get("mean").asDouble(), 1e-12);
    }

    @Test
    void printsExtractedAnswersAndCaveats() throws IOException {
        String choices = "\"choices\": {\"A\": \"cat\", \"B\": \"dog\", \"C\": \"bird\", \"D\": \"fish\"}";
        Path input = jsonl(
                "{\"prediction\": \"The answer is B.\", \"references\": [\"B\"], " + choices + "}",
                "{\"prediction\": \"catfish\", \"references\": [\"A\"], " + choices + "}");

        Run run = run("--metric", "mcq-vlmevalkit", "--input", input.toString());

        assertEquals(0, run.exitCode(), run.err());
        assertEquals(parse("{\"score\": 1.0, \"extracted\": \"B\"}"), parse(run.out().get(0)));
        assertEquals(parse("{\"score\": 0.0, \"extracted\": null, \"caveats\": [\"llm_judge_fallback\"]}"),
                parse(run.out().get(1)));
        assertEquals(parse("{\"summary\": {\"metric\": \"mcq_letter_vlmevalkit\", \"n\": 2, \"mean\": 0.5,"
                + " \"caveats\": {\"llm_judge_fallback\": 1}}}"), parse(run.out().get(2)));
    }

    @Test
    void corpusMetricScoresOneLinePerCorpus() throws IOException {
        Path input = jsonl("{\"prediction\": {\"img1\": \"a b c d e\", \"img2\": \"x y\"},"
                + " \"references\": {\"img1\": [\"a b c d e\"], \"img2\": [\"x y\"]}}");

        Run run = run("--metric", "coco_cider", "--input", input.toString());

        assertEquals(0, run.exitCode(), run.err());
        assertEquals(7.5, parse(run.out().get(0)).get("score").asDouble(), 1e-9);
        assertEquals(1, parse(run.out().get(1)).get("summary").get("n").asInt());
    }

    @Test
    void pointsMetricReportsTotal() throws IOException {
        Path input = jsonl(
                "{\"prediction\": \"The sign says stop.\", \"references\": [\"STOP\"], \"dataset\": \"IIIT5K\"}",
                "{\"prediction\": \"sto p\", \"references\": [\"stop\"], \"dataset\": \"IIIT5K\"}",
                "{\"prediction\": \"x^2\", \"references\": [\"x ^ 2\"], \"dataset\": \"HME100k\"}");

        Run run = run("--metric", "ocrbench", "--input", input.toString());

        assertEquals(0, run.exitCode(), run.err());
        JsonNode summary = parse(run.out().get(3)).get("summary");
        assertEquals(2.0, summary.get("sum").asDouble());
        assertEquals(2.0 / 3, summary.get("mean").asDouble(), 1e-12);
    }

    @Test
    void threadsDoNotChangeTheOutput() throws IOException {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            lines.append("{\"prediction\": \"").append(i % 7).append("\", \"references\": [\"")
                    .append(i % 5).append("\"]}\n");
        }
        Path input = dir.resolve("many.jsonl");
        Files.writeString(input, lines);

        Run single = run("--metric", "relaxed_accuracy", "--input", input.toString());
        Run parallel = run("--metric", "relaxed_accuracy", "--input", input.toString(), "--threads", "4");

        assertEquals(0, parallel.exitCode(), parallel.err());
        assertEquals(201, parallel.out().size());
        assertEquals(single.out(), parallel.out());
    }

    @Test
    void missingFieldNamesLineAndFieldAndPrintsNoScores() throws IOException {
        Path input = jsonl(
                "{\"prediction\": \"abc\", \"references\": [\"abc\"]}",
                "{\"prediction\": \"abc\"}");

        Run run = run("--metric", "anls", "--input", input.toString());

        assertEquals(ScoreCommand.EXIT_BAD_INPUT, run.exitCode());
        assertEquals(List.of(), run.out());
        assertEquals("jvlm: line 2, field \"references\": missing", run.err().strip());
    }

    @Test
    void wrongFieldTypeIsReported() throws IOException {
        Path input = jsonl("{\"prediction\": \"abc\", \"references\": \"abc\"}");

        Run run = run("--metric", "vqa_accuracy", "--input", input.toString());

        assertEquals(ScoreCommand.EXIT_BAD_INPUT, run.exitCode());
        assertEquals("jvlm: line 1, field \"references\": expected an array of strings, got a string",
                run.err().strip());
    }

    @Test
    void malformedJsonNamesTheLine() throws IOException {
        Path input = jsonl(
                "{\"prediction\": \"abc\", \"references\": [\"abc\"]}",
                "",
                "{\"prediction\": \"abc\", \"references\": [\"abc\"]");

        Run run = run("--metric", "anls", "--input", input.toString());

        assertEquals(ScoreCommand.EXIT_BAD_INPUT, run.exitCode());
        assertTrue(run.err().startsWith("jvlm: line 3: malformed JSON: "), run.err());
        assertFalse(run.err().contains("\tat "), "no stack trace without --verbose");
    }

    @Test
    void verboseAddsStackTrace() throws IOException {
        Path input = jsonl("[1, 2]");

        Run run = run("--metric", "anls", "--input", input.toString(), "--verbose");

        assertEquals(ScoreCommand.EXIT_BAD_INPUT, run.exitCode());
        assertTrue(run.err().startsWith("jvlm: line 1: an item must be a JSON object"), run.err());
        assertTrue(run.err().contains("\tat "), "stack trace with --verbose");
    }

    @Test
    void unknownMetricIsAUsageError() throws IOException {
        Path input = jsonl("{\"prediction\": \"abc\", \"references\": [\"abc\"]}");

        Run run = run("--metric", "bleurt", "--input", input.toString());

        assertEquals(ScoreCommand.EXIT_USAGE, run.exitCode());
        assertTrue(run.err().startsWith("jvlm: unknown metric 'bleurt'; known metrics: vqa_accuracy, "), run.err());
    }

    @Test
    void missingInputFileIsReported() {
        Run run = run("--metric", "anls", "--input", dir.resolve("absent.jsonl").toString());

        assertEquals(ScoreCommand.EXIT_BAD_INPUT, run.exitCode());
        assertTrue(run.err().strip().endsWith("absent.jsonl: no such file"), run.err());
    }

    @Test
    void emptyInputGivesAnEmptySummary() throws IOException {
        Path input = dir.resolve("empty.jsonl");
        Files.writeString(input, "");

        Run run = run("--metric", "anls", "--input", input.toString());

        assertEquals(0, run.exitCode(), run.err());
        assertEquals(parse("{\"summary\": {\"metric\": \"anls\", \"n\": 0, \"mean\": null}}"), parse(run.out().getFirst()));
    }

    @Test
    void registeredAsSubcommandOfJvlm() {
        assertTrue(new CommandLine(new Main()).getSubcommands().containsKey("score"));
    }
}
