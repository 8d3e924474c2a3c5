package dev.jvlm.eval.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jvlm.JvlmException;
import dev.jvlm.eval.Summary;
import dev.jvlm.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.stream.Collectors;

/** Writes a run's {@code summary.json} and {@code report.md}. */
public final class Reports {
    private Reports() {
    }

    static void write(EvalSummary summary, Path json, Path markdown) {
        try {
            writeAtomically(json, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json(summary)) + "\n");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings and numbers always serializes", e);
        }
        writeAtomically(markdown, markdown(summary));
    }

    /** The summary as JSON: the overall metric, other metrics, per-category tables and the skips with their reasons. */
    static ObjectNode json(EvalSummary summary) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("benchmark", summary.benchmark());
        root.put("model", summary.model());
        root.put("data", summary.data());
        root.put("metric", summary.overall().metric());
        root.setAll(metricJson(summary.overall()));
        if (!summary.alsoReported().isEmpty()) {
            ObjectNode also = root.putObject("also_reported");
            summary.alsoReported().forEach(s -> also.set(s.metric(), metricJson(s)));
        }
        root.put("predicted", summary.predicted());
        root.put("resumed", summary.resumed());
        ObjectNode categories = root.putObject("categories");
        summary.categories().forEach((dimension, table) -> {
            ObjectNode byValue = categories.putObject(dimension);
            table.forEach((value, s) -> byValue.set(value, metricJson(s)));
        });
        ObjectNode skipped = root.putObject("skipped");
        skipped.put("count", summary.skipped().size());
        ObjectNode reasons = skipped.putObject("reasons");
        reasonCounts(summary.skipped()).forEach(reasons::put);
        ArrayNode items = skipped.putArray("items");
        summary.skipped().forEach(s -> items.addObject().put("where", s.where()).put("reason", s.reason()));
        return root;
    }

    private static ObjectNode metricJson(Summary s) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("n", s.n());
        if (s.mean().isPresent()) {
            o.put("score", s.mean().getAsDouble());
        } else {
            o.putNull("score");
        }
        s.sum().ifPresent(sum -> o.put("points", sum));
        s.microF1().ifPresent(f1 -> o.put("micro_f1", f1));
        if (!s.caveats().isEmpty()) {
            ObjectNode caveats = o.putObject("caveats");
            s.caveats().entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(e -> caveats.put(e.getKey().jsonName(), e.getValue()));
        }
        return o;
    }

    private static Map<String, Long> reasonCounts(List<EvalSummary.Skipped> skipped) {
        return skipped.stream().collect(Collectors.groupingBy(EvalSummary.Skipped::reason, LinkedHashMap::new,
                Collectors.counting()));
    }

    /** The summary as Markdown: scores in percent, one table per category dimension, skips by reason. */
    public static String markdown(EvalSummary summary) {
        Summary overall = summary.overall();
        boolean points = overall.sum().isPresent();
        StringBuilder md = new StringBuilder();
        md.append("# ").append(summary.benchmark()).append(": ").append(overall.metric()).append("\n\n");
        md.append("Model `").append(summary.model()).append("`, data `").append(summary.data()).append("`.\n\n");
        md.append("| metric | n | score (%)").append(points ? " | points" : "").append(" |\n");
        md.append("| --- | ---: | ---:").append(points ? " | ---:" : "").append(" |\n");
        md.append("| ").append(cell(overall.metric())).append(" | ").append(overall.n()).append(" | ")
                .append(percent(overall)).append(points ? " | " + number(overall.sum().getAsDouble()) : "").append(" |\n");
        for (Summary also : summary.alsoReported()) {
            boolean f1 = also.microF1().isPresent();
            md.append("| ").append(cell(also.metric())).append(f1 ? " (micro F1)" : "").append(" | ").append(also.n())
                    .append(" | ").append(f1 ? percent(also.microF1().getAsDouble()) : percent(also))
                    .append(points ? " | " : "").append(" |\n");
        }
        md.append('\n').append(summary.predicted()).append(" items predicted (").append(summary.resumed())
                .append(" of them in an earlier run), ").append(summary.skipped().size()).append(" skipped.\n");
        if (!overall.caveats().isEmpty()) {
            md.append("\nCaveats: ").append(overall.caveats().entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .map(e -> e.getKey().jsonName() + " on " + e.getValue()).collect(Collectors.joining(", ")))
                    .append(" (docs/EVAL.md explains each).\n");
        }
        summary.categories().forEach((dimension, table) -> appendTable(md, dimension, table, overall.metric(), points));
        if (!summary.skipped().isEmpty()) {
            md.append("\n## Skipped\n\n| reason | items |\n| --- | ---: |\n");
            reasonCounts(summary.skipped()).forEach((reason, count) ->
                    md.append("| ").append(cell(reason)).append(" | ").append(count).append(" |\n"));
        }
        return md.toString();
    }

    private static void appendTable(StringBuilder md, String dimension, SortedMap<String, Summary> table, String metric,
                                    boolean points) {
        md.append("\n## By ").append(cell(dimension)).append("\n\n");
        md.append("| ").append(cell(dimension)).append(" | n | ").append(cell(metric)).append(" (%)")
                .append(points ? " | points" : "").append(" |\n");
        md.append("| --- | ---: | ---:").append(points ? " | ---:" : "").append(" |\n");
        table.forEach((value, s) -> md.append("| ").append(cell(value)).append(" | ").append(s.n()).append(" | ")
                .append(percent(s)).append(points ? " | " + number(s.sum().orElse(0)) : "").append(" |\n"));
    }

    private static String percent(Summary s) {
        return s.mean().isPresent() ? percent(s.mean().getAsDouble()) : "-";
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.2f", 100 * fraction);
    }

    private static String number(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.format(Locale.ROOT, "%.2f", value);
    }

    /** A table cell: pipes escaped, line breaks as spaces. */
    private static String cell(String text) {
        return text.replace("|", "\\|").replaceAll("\\R", " ");
    }

    private static void writeAtomically(Path file, String text) {
        try {
            Path partial = Files.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName(), ".partial");
            Files.writeString(partial, text);
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new JvlmException("cannot write " + file + " (" + e.getMessage() + ")", e);
        }
    }
}
