package dev.jvlm.server;

import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's counters in Prometheus' text exposition format (version 0.0.4). A handful of series
 * does not warrant a metrics library: counters are {@link LongAdder}s, histograms fixed buckets.
 */
final class Metrics {
    private final Map<Integer, LongAdder> chatRequestsByStatus = new ConcurrentSkipListMap<>();
    private final LongAdder promptTokens = new LongAdder();
    private final LongAdder generatedTokens = new LongAdder();
    private final LongAdder cancelled = new LongAdder();
    private final Histogram requestSeconds = new Histogram(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300);
    private final Histogram firstTokenSeconds = new Histogram(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30);
    private final Histogram decodeBatchSize = new Histogram(1, 2, 4, 8, 16, 32, 64, 128);
    private final Histogram decodeStepSeconds = new Histogram(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1);

    /** A finished chat completion request, answered with {@code status}. */
    void request(int status, double seconds) {
        chatRequestsByStatus.computeIfAbsent(status, s -> new LongAdder()).increment();
        requestSeconds.observe(seconds);
    }

    void tokens(int prompt, int generated) {
        promptTokens.add(prompt);
        generatedTokens.add(generated);
    }

    void firstToken(double seconds) {
        firstTokenSeconds.observe(seconds);
    }

    /** One batched decode step over {@code rows} requests. */
    void decodeStep(int rows, double seconds) {
        decodeBatchSize.observe(rows);
        decodeStepSeconds.observe(seconds);
    }

    void cancelled() {
        cancelled.increment();
    }

    /** The exposition, with the scheduler's current state as gauges. */
    String render(int queueDepth, int running, int maxBatch, long cacheBytes) {
        StringBuilder out = new StringBuilder();
        header(out, "jvlm_chat_requests_total", "counter", "Chat completion requests answered, by HTTP status.");
        long errors = 0;
        for (Map.Entry<Integer, LongAdder> e : chatRequestsByStatus.entrySet()) {
            long count = e.getValue().sum();
            out.append("jvlm_chat_requests_total{status=\"").append(e.getKey()).append("\"} ").append(count).append('\n');
            errors += e.getKey() >= 400 ? count : 0;
        }
        header(out, "jvlm_chat_request_errors_total", "counter", "Chat completion requests answered with a 4xx or 5xx status.");
        out.append("jvlm_chat_request_errors_total ").append(errors).append('\n');
        header(out, "jvlm_chat_requests_cancelled_total", "counter", "Generations stopped by a client disconnect, timeout or shutdown.");
        out.append("jvlm_chat_requests_cancelled_total ").append(cancelled.sum()).append('\n');
        header(out, "jvlm_prompt_tokens_total", "counter", "Prompt tokens processed.");
        out.append("jvlm_prompt_tokens_total ").append(promptTokens.sum()).append('\n');
        header(out, "jvlm_generated_tokens_total", "counter", "Completion tokens generated.");
        out.append("jvlm_generated_tokens_total ").append(generatedTokens.sum()).append('\n');
        header(out, "jvlm_queue_depth", "gauge", "Requests waiting for the model.");
        out.append("jvlm_queue_depth ").append(queueDepth).append('\n');
        header(out, "jvlm_requests_running", "gauge", "Requests the model is generating for.");
        out.append("jvlm_requests_running ").append(running).append('\n');
        header(out, "jvlm_max_batch_size", "gauge", "Most requests decoded together (--max-batch).");
        out.append("jvlm_max_batch_size ").append(maxBatch).append('\n');
        header(out, "jvlm_kv_cache_bytes", "gauge", "Memory held by the running requests' KV caches.");
        out.append("jvlm_kv_cache_bytes ").append(cacheBytes).append('\n');
        decodeBatchSize.render(out, "jvlm_decode_batch_size", "Requests decoded together in each batched decode step.");
        decodeStepSeconds.render(out, "jvlm_decode_step_duration_seconds", "Time of one batched decode step (one token for every running request).");
        requestSeconds.render(out, "jvlm_chat_request_duration_seconds", "Time from request received to response finished.");
        firstTokenSeconds.render(out, "jvlm_time_to_first_token_seconds", "Time from request received to its first generated token.");
        return out.toString();
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    /** A Prometheus histogram: per-bucket counts (made cumulative when rendered), sum and count. */
    private static final class Histogram {
        private final double[] bounds;
        private final AtomicLongArray counts;
        private final DoubleAdder sum = new DoubleAdder();

        Histogram(double... bounds) {
            this.bounds = bounds;
            this.counts = new AtomicLongArray(bounds.length + 1);
        }

        void observe(double value) {
            int bucket = 0;
            while (bucket < bounds.length && value > bounds[bucket]) {
                bucket++;
            }
            counts.incrementAndGet(bucket);
            sum.add(value);
        }

        void render(StringBuilder out, String name, String help) {
            header(out, name, "histogram", help);
            long cumulative = 0;
            for (int i = 0; i <= bounds.length; i++) {
                cumulative += counts.get(i);
                String le = i < bounds.length ? Double.toString(bounds[i]) : "+Inf";
                out.append(name).append("_bucket{le=\"").append(le).append("\"} ").append(cumulative).append('\n');
            }
            out.append(name).append("_sum ").append(sum.sum()).append('\n');
            out.append(name).append("_count ").append(cumulative).append('\n');
        }
    }
}
