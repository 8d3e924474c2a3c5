package dev.jvlm.eval.bench;

import java.util.List;
import java.util.function.Function;

/**
 * A benchmark by name: how its records become prompts and scorer items, how many tokens a reply
 * may have, and how item scores combine. The catalogue is {@link Benchmarks}.
 */
public final class Benchmark {
    private final String name;
    private final int maxNewTokens;
    private final Scorer scorer;
    private final List<Scorer> alsoReported;
    private final boolean circular;
    private final List<String> categoryDimensions;
    private final Function<Row, BenchmarkItem> items;

    /**
     * @param alsoReported       further metrics over the same items, reported beside the main one (Donut's F1)
     * @param circular           whether the score is MMBench's circular one over groups of rotated questions
     * @param categoryDimensions the category fields the summary tabulates, in report order
     */
    Benchmark(String name, int maxNewTokens, Scorer scorer, List<Scorer> alsoReported, boolean circular,
              List<String> categoryDimensions, Function<Row, BenchmarkItem> items) {
        this.name = name;
        this.maxNewTokens = maxNewTokens;
        this.scorer = scorer;
        this.alsoReported = List.copyOf(alsoReported);
        this.circular = circular;
        this.categoryDimensions = List.copyOf(categoryDimensions);
        this.items = items;
    }

    public String name() {
        return name;
    }

    /** The reply length limit of the reference task's generation settings. */
    public int maxNewTokens() {
        return maxNewTokens;
    }

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
     * The item of a record.
     *
     * @throws SkipException when the record lacks what the benchmark needs
     */
    BenchmarkItem item(Row row) {
        return items.apply(row);
    }

    @Override
    public String toString() {
        return name;
    }
}
