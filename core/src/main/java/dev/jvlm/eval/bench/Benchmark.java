package dev.jvlm.eval.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A benchmark by name: how its records become prompts and scorer items, how many tokens a reply
 * may have, and how item scores combine. The catalogue is {@link Benchmarks}.
 */
public final class Benchmark {
    private final String name;
    private final int maxNewTokens;
    private final Scorer scorer;
    private final List<String> categoryDimensions;
    private final Function<Row, BenchmarkItem> items;
    private final List<Scorer> alsoReported;
    private final boolean circular;

    /**
     * @param categoryDimensions the category fields the summary tabulates, in report order; an item's
     *                           value is the one its builder derived, else the record's field of that name
     * @param items              builds an item from a record, throwing {@link SkipException} when it cannot
     */
    Benchmark(String name, int maxNewTokens, Scorer scorer, List<String> categoryDimensions,
              Function<Row, BenchmarkItem> items) {
        this(name, maxNewTokens, scorer, categoryDimensions, items, List.of(), false);
    }

    private Benchmark(String name, int maxNewTokens, Scorer scorer, List<String> categoryDimensions,
                      Function<Row, BenchmarkItem> items, List<Scorer> alsoReported, boolean circular) {
        this.name = name;
        this.maxNewTokens = maxNewTokens;
        this.scorer = scorer;
        this.categoryDimensions = List.copyOf(categoryDimensions);
        this.items = items;
        this.alsoReported = List.copyOf(alsoReported);
        this.circular = circular;
    }

    /** This benchmark with a further metric over the same items, reported beside the main one (Donut's F1). */
    Benchmark alsoReporting(Scorer other) {
        return new Benchmark(name, maxNewTokens, scorer, categoryDimensions, items,
                Stream.concat(alsoReported.stream(), Stream.of(other)).toList(), circular);
    }

    /** This benchmark scored overall by MMBench's circular rule over the items of each {@link BenchmarkItem#group()}. */
    Benchmark scoredByCircularGroups() {
        return new Benchmark(name, maxNewTokens, scorer, categoryDimensions, items, alsoReported, true);
    }

    public String name() {
        return name;
    }

    /** The reply length limit of the reference task's generation settings. */
    public int maxNewTokens() {
        return maxNewTokens;
    }

    /** Scores each item; for a circular benchmark, each rotation on its own. */
    Scorer scorer() {
        return scorer;
    }

    List<Scorer> alsoReported() {
        return alsoReported;
    }

    boolean circular() {
        return circular;
    }

    List<String> categoryDimensions() {
        return categoryDimensions;
    }

    /**
     * The item of a record, with its value in each category dimension it has.
     *
     * @throws SkipException when the record lacks what the benchmark needs
     */
    BenchmarkItem item(Row row) {
        BenchmarkItem item = items.apply(row);
        SequencedMap<String, String> categories = new LinkedHashMap<>();
        for (String dimension : categoryDimensions) {
            String derived = item.categories().get(dimension);
            if (derived != null) {
                categories.put(dimension, derived);
            } else {
                row.optionalText(dimension).ifPresent(value -> categories.put(dimension, value));
            }
        }
        return new BenchmarkItem(item.id(), item.number(), item.where(), item.prompt(), item.images(), item.answer(),
                item.scoring(), categories, item.group());
    }

    @Override
    public String toString() {
        return name;
    }
}
