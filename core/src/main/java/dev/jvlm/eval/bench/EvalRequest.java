package dev.jvlm.eval.bench;

import dev.jvlm.JvlmException;
import java.nio.file.Path;

/**
 * One evaluation run.
 *
 * @param model        what is evaluated, as recorded in the run's files (a model directory or Hub id);
 *                     a resumed run must name the same model
 * @param maxNewTokens the reply length limit (usually {@link Benchmark#maxNewTokens()})
 * @param limit        evaluate only the first {@code limit} records of the file; 0 for all
 */
public record EvalRequest(Benchmark benchmark, Path data, Path output, String model, int maxNewTokens, int limit) {
    public EvalRequest {
        if (maxNewTokens < 1) {
            throw new JvlmException("the reply length limit must be at least 1 token, got " + maxNewTokens);
        }
        if (limit < 0) {
            throw new JvlmException("--limit must be at least 1 (or 0 for every item), got " + limit);
        }
    }

    /** A run of every item with the benchmark's own reply length. */
    public EvalRequest(Benchmark benchmark, Path data, Path output, String model) {
        this(benchmark, data, output, model, benchmark.maxNewTokens(), 0);
    }
}
