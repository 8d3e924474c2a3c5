package dev.jvlm.eval.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jvlm.JvlmException;
import dev.jvlm.eval.BadItemException;
import dev.jvlm.eval.ItemScore;
import dev.jvlm.eval.Summary;
import dev.jvlm.io.Json;
import dev.jvlm.vision.DecodedImage;
import dev.jvlm.vision.ImageLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SequencedMap;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Runs a benchmark: reads the file, asks the predictor item by item, and writes
 * {@code predictions.jsonl} (as it goes), {@code summary.json} and {@code report.md} to the output
 * directory. A run over a directory that already has predictions resumes: items predicted there are
 * not asked again, so an interrupted run, re-run, ends with the predictions of an uninterrupted one.
 */
public final class BenchmarkRunner {
    static final String SUMMARY_FILE = "summary.json";
    static final String REPORT_FILE = "report.md";
    /** What the predictions in a directory were made with, checked before a run resumes them. */
    static final String RUN_FILE = "run.json";

    private BenchmarkRunner() {
    }

    /** A predicted item, with its score unless the metric rejected it. */
    private record Scored(BenchmarkItem item, String prediction, ItemScore score) {
    }

    public static EvalSummary run(EvalRequest request, Predictor predictor, ProgressListener listener) {
        Benchmark benchmark = request.benchmark();
        List<DataFile.Entry> entries = DataFile.read(request.data());
        if (request.limit() > 0 && entries.size() > request.limit()) {
            entries = entries.subList(0, request.limit());
        }
        List<EvalSummary.Skipped> skipped = new ArrayList<>();
        List<BenchmarkItem> items = items(request, entries, skipped);
        Path output = request.output();
        prepareOutput(request);
        ImageLoader loader = new ImageLoader();
        List<Scored> scored = new ArrayList<>();
        int resumed;
        try (PredictionLog log = PredictionLog.open(output)) {
            Map<String, PredictionLog.Previous> previous = log.previous();
            resumed = checkResumable(items, previous, output);
            listener.started(items.size(), resumed);
            int done = resumed;
            for (BenchmarkItem item : items) {
                PredictionLog.Previous earlier = previous.get(item.id());
                String prediction;
                if (earlier != null) {
                    prediction = earlier.prediction();
                } else {
                    try {
                        prediction = predict(predictor, item, loader, request.maxNewTokens());
                    } catch (SkipException e) {
                        skipped.add(skip(item, e.reason()));
                        listener.advanced(++done);
                        continue;
                    }
                }
                Scored result = score(benchmark, item, prediction, skipped);
                if (earlier == null) {
                    log.append(line(benchmark, result));
                    listener.advanced(++done);
                }
                scored.add(result);
            }
        }
        EvalSummary summary = summarize(request, scored, skipped, resumed);
        Reports.write(summary, output.resolve(SUMMARY_FILE), output.resolve(REPORT_FILE));
        if (summary.overall().n() == 0) {
            // Every item failed the same way, most likely: a score of nothing is no score.
            throw new JvlmException("no item of " + request.data() + " could be scored (" + reasons(summary.skipped())
                    + "); see " + output.resolve(REPORT_FILE));
        }
        return summary;
    }

    /** The file's items; records the benchmark cannot use are counted as skipped, repeated ids are an error. */
    private static List<BenchmarkItem> items(EvalRequest request, List<DataFile.Entry> entries,
                                             List<EvalSummary.Skipped> skipped) {
        List<BenchmarkItem> items = new ArrayList<>();
        Map<String, String> whereById = new HashMap<>();
        for (DataFile.Entry entry : entries) {
            switch (entry) {
                case DataFile.Malformed bad -> skipped.add(new EvalSummary.Skipped(bad.number(), bad.where(), bad.reason()));
                case Row row -> {
                    BenchmarkItem item;
                    try {
                        item = request.benchmark().item(row);
                    } catch (SkipException e) {
                        skipped.add(new EvalSummary.Skipped(row.number(), row.where(), e.reason()));
                        continue;
                    }
                    String first = whereById.putIfAbsent(item.id(), row.where());
                    if (first != null) {
                        throw new JvlmException(request.data() + ", " + row.where() + ": id '" + item.id()
                                + "' was already used by " + first + "; items need unique ids (id, index or question_id)");
                    }
                    items.add(item);
                }
            }
        }
        if (items.isEmpty()) {
            throw new JvlmException(request.data() + ": no record can be evaluated as " + request.benchmark().name()
                    + " (" + reasons(skipped) + ")");
        }
        return items;
    }

    private static String reasons(List<EvalSummary.Skipped> skipped) {
        if (skipped.isEmpty()) {
            return "the file has no records";
        }
        return skipped.stream().collect(Collectors.groupingBy(EvalSummary.Skipped::reason, LinkedHashMap::new,
                        Collectors.counting()))
                .entrySet().stream().map(e -> e.getValue() + " x " + e.getKey()).collect(Collectors.joining("; "));
    }

    /** Creates the directory, or checks that its earlier predictions were made the same way. */
    private static void prepareOutput(EvalRequest request) {
        Path output = request.output();
        ObjectNode run = Json.MAPPER.createObjectNode();
        run.put("benchmark", request.benchmark().name());
        run.put("model", request.model());
        run.put("max_new_tokens", request.maxNewTokens());
        Path runFile = output.resolve(RUN_FILE);
        try {
            Files.createDirectories(output);
            if (Files.exists(runFile)) {
                JsonNode earlier = Json.read(runFile);
                if (!earlier.equals(run)) {
                    throw new JvlmException(output + " holds a run of " + describe(earlier) + ", not of " + describe(run)
                            + "; give another --output to keep both");
                }
            } else {
                Files.writeString(runFile, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(run) + "\n");
            }
        } catch (IOException e) {
            throw new JvlmException("cannot write to " + output + " (" + e.getMessage() + ")", e);
        }
    }

    private static String describe(JsonNode run) {
        return "benchmark " + run.path("benchmark").asText() + " with model " + run.path("model").asText()
                + " (replies up to " + run.path("max_new_tokens").asText() + " tokens)";
    }

    /**
     * The number of items an earlier run predicted; an earlier prediction for a different prompt means
     * the file or the prompts changed, and mixing the two would be wrong.
     */
    private static int checkResumable(List<BenchmarkItem> items, Map<String, PredictionLog.Previous> previous, Path output) {
        int resumed = 0;
        for (BenchmarkItem item : items) {
            PredictionLog.Previous earlier = previous.get(item.id());
            if (earlier == null) {
                continue;
            }
            if (!earlier.prompt().equals(item.prompt())) {
                throw new JvlmException(output.resolve(PredictionLog.FILE_NAME) + ", line " + earlier.line()
                        + ": item '" + item.id() + "' was predicted for another prompt than the one " + item.where()
                        + " of the data file gives now; give another --output for this data");
            }
            resumed++;
        }
        return resumed;
    }

    private static String predict(Predictor predictor, BenchmarkItem item, ImageLoader loader, int maxNewTokens) {
        List<DecodedImage> images = new ArrayList<>();
        for (ImageRef image : item.images()) {
            images.add(image.decode(loader));
        }
        try {
            return predictor.predict(item.prompt(), images, maxNewTokens);
        } catch (JvlmException e) {
            throw new SkipException("the model cannot take this item: " + e.getMessage(), e);
        }
    }

    private static Scored score(Benchmark benchmark, BenchmarkItem item, String prediction, List<EvalSummary.Skipped> skipped) {
        try {
            return new Scored(item, prediction, benchmark.scorer().score().apply(item.scoringItem(prediction)));
        } catch (BadItemException e) {
            skipped.add(skip(item, "cannot be scored: " + e.field().map(f -> "field '" + f + "': ").orElse("") + e.getMessage()));
            return new Scored(item, prediction, null);
        }
    }

    private static EvalSummary.Skipped skip(BenchmarkItem item, String reason) {
        return new EvalSummary.Skipped(item.number(), item.where() + ", id " + item.id(), reason);
    }

    private static ObjectNode line(Benchmark benchmark, Scored scored) {
        BenchmarkItem item = scored.item();
        ObjectNode line = Json.MAPPER.createObjectNode();
        line.put("id", item.id());
        line.put("prompt", item.prompt());
        line.put("prediction", scored.prediction());
        line.set("answer", item.answer());
        if (scored.score() == null) {
            line.putNull("score");
        } else {
            line.put("score", scored.score().value());
            scored.score().extracted().ifPresent(extracted -> line.set("extracted", extracted));
        }
        String category = benchmark.categoryDimensions().stream().map(item.categories()::get)
                .filter(Objects::nonNull).findFirst().orElse(null);
        line.put("category", category);
        return line;
    }

    // ---- summary ----

    /** A unit the score averages over: an item, or for MMBench one question with all its rotations. */
    private record Unit(ItemScore score, SequencedMap<String, String> categories) {
    }

    private static EvalSummary summarize(EvalRequest request, List<Scored> scored, List<EvalSummary.Skipped> skipped,
                                         int resumed) {
        Benchmark benchmark = request.benchmark();
        List<Scored> valid = scored.stream().filter(s -> s.score() != null).toList();
        List<Unit> units = benchmark.circular() ? circularUnits(valid)
                : valid.stream().map(s -> new Unit(s.score(), s.item().categories())).toList();
        Scorer scorer = benchmark.circular() ? Benchmarks.CIRCULAR : benchmark.scorer();
        Summary overall = named(scorer, units.stream().map(Unit::score).toList());
        List<Summary> alsoReported = new ArrayList<>();
        for (Scorer extra : benchmark.alsoReported()) {
            List<ItemScore> scores = new ArrayList<>();
            for (Scored s : valid) {
                try {
                    scores.add(extra.score().apply(s.item().scoringItem(s.prediction())));
                } catch (BadItemException e) {
                    // Left out of this metric only; listed with the skips so that its smaller n is explained.
                    skipped.add(skip(s.item(), "left out of " + extra.name() + " only: " + e.getMessage()));
                }
            }
            alsoReported.add(named(extra, scores));
        }
        SequencedMap<String, SortedMap<String, Summary>> categories = new LinkedHashMap<>();
        for (String dimension : benchmark.categoryDimensions()) {
            SortedMap<String, List<ItemScore>> byValue = new TreeMap<>();
            for (Unit unit : units) {
                String value = unit.categories().get(dimension);
                if (value != null) {
                    byValue.computeIfAbsent(value, v -> new ArrayList<>()).add(unit.score());
                }
            }
            if (!byValue.isEmpty()) {
                SortedMap<String, Summary> table = new TreeMap<>();
                byValue.forEach((value, scores) -> table.put(value, named(scorer, scores)));
                categories.put(dimension, table);
            }
        }
        skipped.sort(Comparator.comparingInt(EvalSummary.Skipped::number));
        return new EvalSummary(benchmark.name(), request.model(), request.data().toString(), overall, alsoReported,
                categories, skipped, scored.size(), resumed);
    }

    private static Summary named(Scorer scorer, List<ItemScore> scores) {
        Summary s = scorer.summarize().apply(scores);
        return new Summary(scorer.name(), s.n(), s.mean(), s.sum(), s.microF1(), s.caveats());
    }

    /**
     * VLMEvalKit {@code mcq_circular_eval}: the rows sharing {@code index % 1e6} are one question,
     * right only if every rotation is; its categories are those of the unrotated row.
     */
    private static List<Unit> circularUnits(List<Scored> scored) {
        SequencedMap<String, List<Scored>> groups = new LinkedHashMap<>();
        for (Scored s : scored) {
            groups.computeIfAbsent(s.item().group().orElseThrow(), g -> new ArrayList<>()).add(s);
        }
        List<Unit> units = new ArrayList<>();
        for (Map.Entry<String, List<Scored>> group : groups.entrySet()) {
            ObjectNode item = Json.MAPPER.createObjectNode();
            ArrayNode predictions = item.putArray("prediction");
            ArrayNode references = item.putArray("references");
            ArrayNode rotations = item.putArray("choices_per_rotation");
            for (Scored s : group.getValue()) {
                predictions.add(s.prediction());
                references.add(s.item().scoring().get("references").get(0));
                rotations.add(s.item().scoring().get("choices"));
            }
            BenchmarkItem main = group.getValue().stream().map(Scored::item).filter(i -> i.id().equals(group.getKey()))
                    .findFirst().orElse(group.getValue().getFirst().item());
            units.add(new Unit(Benchmarks.CIRCULAR.score().apply(item), main.categories()));
        }
        return units;
    }
}
