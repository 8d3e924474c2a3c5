package dev.jvlm.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jvlm.eval.BadItemException;
import dev.jvlm.eval.Caveat;
import dev.jvlm.eval.ItemScore;
import dev.jvlm.eval.Metric;
import dev.jvlm.eval.Metrics;
import dev.jvlm.eval.Summary;
import dev.jvlm.tensor.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * {@code jvlm score}: scores a JSONL file of items with one metric and prints one JSON result per item,
 * then a summary line. Nothing is printed to standard output unless every item scores.
 */
@Command(name = "score",
        description = {"Score predictions with a benchmark metric, exactly as the reference toolkit scores them.",
                "Each input line is one item (or one corpus or group, for BLEU, CIDEr, MMBench circular):",
                "a JSON object with 'prediction', 'references' and the metric's own fields (docs/EVAL.md).",
                "Prints one JSON object per item, in input order, then {\"summary\": {...}}."})
public final class ScoreCommand implements Callable<Integer> {

    static final int EXIT_BAD_INPUT = 1;
    static final int EXIT_USAGE = 2;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = {"-m", "--metric"}, required = true, paramLabel = "NAME",
            description = "Metric name or alias, e.g. vqa_accuracy, anls, relaxed_accuracy, mcq_letter_vlmevalkit.")
    String metricName;

    @Option(names = {"-i", "--input"}, required = true, paramLabel = "FILE",
            description = "JSONL input, one item per line; '-' reads standard input. Blank lines are ignored.")
    String input;

    /** One non-blank input line. */
    private record Line(int number, String text) {
    }

    /** A scored line: the score for the summary and the JSON printed for it. */
    private record Scored(ItemScore score, ObjectNode json) {
    }

    /** A problem reported as one line, with a stack trace only under --verbose. */
    private static final class Failure extends Exception {
        Failure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        Metric metric = Metrics.find(metricName).orElse(null);
        if (metric == null) {
            err.println("jvlm: unknown metric '" + metricName + "'; known metrics: "
                    + Metrics.all().stream().map(Metric::name).collect(Collectors.joining(", ")));
            err.flush();
            return EXIT_USAGE;
        }
        try {
            List<Line> lines = readLines();
            List<Scored> results = score(metric, lines);
            PrintWriter out = spec.commandLine().getOut();
            for (Scored result : results) {
                out.println(JSON.writeValueAsString(result.json()));
            }
            Summary summary = metric.summarize(results.stream().map(Scored::score).toList());
            out.println(JSON.writeValueAsString(summaryJson(summary)));
            out.flush();
            return 0;
        } catch (Failure e) {
            err.println("jvlm: " + e.getMessage());
            if (Main.verbose) {
                e.printStackTrace(err);
            }
            err.flush();
            return EXIT_BAD_INPUT;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    private List<Line> readLines() throws Failure {
        try (BufferedReader reader = input.equals("-")
                ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                : Files.newBufferedReader(Path.of(input), StandardCharsets.UTF_8)) {
            List<Line> lines = new ArrayList<>();
            int number = 0;
            for (String text; (text = reader.readLine()) != null; ) {
                number++;
                if (!text.isBlank()) {
                    lines.add(new Line(number, text));
                }
            }
            return lines;
        } catch (NoSuchFileException e) {
            throw new Failure("cannot read " + input + ": no such file", e);
        } catch (IOException e) {
            throw new Failure("cannot read " + input + ": " + e, e);
        }
    }

    /** Scores every line, in parallel when asked; the first bad line in input order is the error reported. */
    private List<Scored> score(Metric metric, List<Line> lines) throws Failure {
        List<Scored> results = new ArrayList<>(lines.size());
        try (ExecutorService pool = Executors.newFixedThreadPool(Parallel.threads())) {
            List<Future<Scored>> pending = new ArrayList<>(lines.size());
            for (Line line : lines) {
                pending.add(pool.submit(() -> scoreLine(metric, line)));
            }
            for (Future<Scored> result : pending) {
                results.add(result.get());
            }
            return results;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Failure failure) {
                throw failure;
            }
            throw new Failure("internal error: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted", e);
        }
    }

    private static Scored scoreLine(Metric metric, Line line) throws Failure {
        JsonNode item;
        try {
            item = JSON.readTree(line.text());
        } catch (JsonProcessingException e) {
            throw new Failure("line " + line.number() + ": malformed JSON: " + e.getOriginalMessage(), e);
        }
        ItemScore score;
        try {
            score = metric.score(item);
        } catch (BadItemException e) {
            String where = e.field().map(f -> ", field \"" + f + "\"").orElse("");
            throw new Failure("line " + line.number() + where + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new Failure("line " + line.number() + ": internal error scoring the item: " + e, e);
        }
        return new Scored(score, resultJson(item, score));
    }

    private static ObjectNode resultJson(JsonNode item, ItemScore score) {
        ObjectNode result = JSON.createObjectNode();
        JsonNode id = item.get("id");
        if (id != null && id.isValueNode()) {
            result.set("id", id);
        }
        result.put("score", score.value());
        score.extracted().ifPresent(extracted -> result.set("extracted", extracted));
        score.fieldCounts().ifPresent(counts -> result.putObject("field_counts")
                .put("true_positives", counts.truePositives())
                .put("false_matches", counts.falseMatches()));
        if (!score.caveats().isEmpty()) {
            var caveats = result.putArray("caveats");
            score.caveats().stream().sorted().map(Caveat::jsonName).forEach(caveats::add);
        }
        return result;
    }

    private static ObjectNode summaryJson(Summary summary) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode body = root.putObject("summary");
        body.put("metric", summary.metric());
        body.put("n", summary.n());
        if (summary.mean().isPresent()) {
            body.put("mean", summary.mean().getAsDouble());
        } else {
            body.putNull("mean");
        }
        summary.sum().ifPresent(sum -> body.put("sum", sum));
        summary.microF1().ifPresent(f1 -> body.put("micro_f1", f1));
        if (!summary.caveats().isEmpty()) {
            ObjectNode caveats = body.putObject("caveats");
            summary.caveats().entrySet().stream()
                    .sorted(Map.Entry.comparingByKey())
                    .forEach(e -> caveats.put(e.getKey().jsonName(), e.getValue()));
        }
        return root;
    }
}
