package dev.jvlm.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jvlm.api.Vlm;
import dev.jvlm.io.ConfigNode;
import dev.jvlm.io.Json;
import dev.jvlm.io.ModelWriter;
import dev.jvlm.io.RandomWeights;
import dev.jvlm.models.LanguageModel;
import dev.jvlm.tensor.DType;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The serving benchmark of docs/PERFORMANCE.md ({@code jvlm bench --serve}): the server started in
 * this process on a free loopback port and driven over HTTP by 1, 4, 16, ... concurrent clients. Each
 * client streams its requests one after another (a closed loop); every request generates exactly
 * {@code maxTokens} tokens. Reported: generated tokens per second over the whole run, per-request
 * latency and time to first token (p50, p95), and the mean decode batch size read from /metrics.
 */
public final class ServeBenchmark {
    /** SmolVLM-256M-Instruct's text model (hidden 576, 30 layers, 9 heads, 3 KV heads) on the demo vocabulary. */
    public static final String SMOLVLM_256M_TEXT_SHAPE = """
            {"hidden_size": 576, "intermediate_size": 1536, "num_hidden_layers": 30, "num_attention_heads": 9,
             "num_key_value_heads": 3, "max_position_embeddings": 8192, "rope_theta": 100000, "rms_norm_eps": 1e-5}""";

    private final PrintStream out;

    public ServeBenchmark(PrintStream out) {
        this.out = out;
    }

    /**
     * A random-weight checkpoint (what {@code jvlm init} writes) with the demo model's vision tower,
     * tokenizer, chat template and image processor around the given text model. The end-of-turn token
     * is left out of its generation config, so that replies run to {@code max_tokens}: benchmark
     * requests then all cost the same, and tests get long generations.
     *
     * @param demo       the demo model directory (its config.json and tokenizer files are used)
     * @param textConfig text_config keys replacing the demo's (its vocabulary must stay the demo's 69 tokens)
     */
    public static Path demoShapedModel(Path demo, String textConfig, DType dtype, long seed, Path out) {
        ObjectNode root = (ObjectNode) Json.read(demo.resolve("config.json"));
        ObjectNode text = (ObjectNode) root.get("text_config");
        text.setAll((ObjectNode) Json.parse(textConfig, "text config"));
        root.remove("eos_token_id");
        text.remove("eos_token_id");
        ConfigNode config = new ConfigNode(root, out.resolve("config.json").toString());
        RandomWeights weights = new RandomWeights(seed, 0.02, dtype);
        LanguageModel.create(config, weights);
        ModelWriter.write(out, config, weights.tensors(), dtype, demo);
        return out;
    }

    /** One client count's outcome. */
    record Run(int clients, int requests, long tokens, double seconds, double[] latency, double[] firstToken, double meanBatch) {
    }

    /** Serves {@code vlm} and reports one table row per client count. */
    public void run(Vlm vlm, String name, List<Integer> clientCounts, int requestsPerClient, int maxTokens) throws IOException {
        ServerOptions d = ServerOptions.defaults();
        int most = clientCounts.stream().mapToInt(Integer::intValue).max().orElse(1);
        ServerOptions options = new ServerOptions("127.0.0.1", 0, "bench", d.maxBodyBytes(), d.maxImageBytes(), d.maxImagePixels(),
                d.maxImagesPerRequest(), maxTokens, Math.max(d.maxBatch(), most), most, Duration.ofMinutes(30), false,
                d.urlFetchTimeout(), false, Duration.ofSeconds(5));
        try (VlmServer server = VlmServer.start(vlm, options);
             HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            // Warm-up: the kernels' first calls run interpreted and their buffers grow.
            run(server, http, Math.min(4, most), 1, maxTokens);
            out.printf("| model | clients | requests | generated tokens | throughput | latency p50 / p95 | first token p50 / p95 | mean batch |%n"
                    + "|---|---|---|---|---|---|---|---|%n");
            for (int clients : clientCounts) {
                Run r = run(server, http, clients, requestsPerClient, maxTokens);
                out.printf("| %s | %d | %d | %d | %.1f tok/s | %.2f / %.2f s | %.2f / %.2f s | %.1f |%n", name, r.clients, r.requests,
                        r.tokens, r.tokens / r.seconds, percentile(r.latency, 50), percentile(r.latency, 95),
                        percentile(r.firstToken, 50), percentile(r.firstToken, 95), r.meanBatch);
                out.flush();
            }
            out.printf("%nload average (1 min) at the end: %.2f%n%n", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    private Run run(VlmServer server, HttpClient http, int clients, int requestsPerClient, int maxTokens) {
        double[] batchBefore = batchSizeSumAndCount(server, http);
        List<Future<List<double[]>>> futures = new ArrayList<>();
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                int client = c;
                futures.add(pool.submit(() -> {
                    List<double[]> measured = new ArrayList<>();
                    for (int i = 0; i < requestsPerClient; i++) {
                        measured.add(streamOne(server, http, "Client " + client + ", question " + i + ": is there a circle?", maxTokens));
                    }
                    return measured;
                }));
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        List<double[]> all = new ArrayList<>();
        for (Future<List<double[]>> f : futures) {
            try {
                all.addAll(f.get());
            } catch (Exception e) {
                throw new IllegalStateException("a benchmark client failed: " + e.getMessage(), e);
            }
        }
        double[] batchAfter = batchSizeSumAndCount(server, http);
        double[] latency = all.stream().mapToDouble(m -> m[0]).sorted().toArray();
        double[] first = all.stream().mapToDouble(m -> m[1]).sorted().toArray();
        long tokens = all.stream().mapToLong(m -> (long) m[2]).sum();
        double steps = batchAfter[1] - batchBefore[1];
        return new Run(clients, all.size(), tokens, seconds, latency, first, steps == 0 ? 0 : (batchAfter[0] - batchBefore[0]) / steps);
    }

    /** One streamed request: {latency, time to first text, completion tokens}. */
    private static double[] streamOne(VlmServer server, HttpClient http, String question, int maxTokens) throws IOException,
            InterruptedException {
        ObjectNode body = Json.MAPPER.createObjectNode().put("model", server.modelId()).put("max_tokens", maxTokens)
                .put("temperature", 0).put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        body.putArray("messages").addObject().put("role", "user").put("content", question);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/chat/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        long t0 = System.nanoTime();
        HttpResponse<java.util.stream.Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode() + ": " + String.join("\n", response.body().toList()));
        }
        double first = -1;
        int tokens = -1;
        for (Iterator<String> lines = response.body().iterator(); lines.hasNext(); ) {
            String line = lines.next();
            if (!line.startsWith("data: {")) {
                continue;
            }
            JsonNode event = Json.parse(line.substring(6), "event");
            if (event.has("error")) {
                throw new IOException("error event: " + event);
            }
            JsonNode choices = event.path("choices");
            if (first < 0 && choices.size() > 0 && !choices.get(0).path("delta").path("content").asText("").isEmpty()) {
                first = (System.nanoTime() - t0) / 1e9;
            }
            if (event.path("usage").has("completion_tokens")) {
                tokens = event.get("usage").get("completion_tokens").asInt();
            }
        }
        if (tokens < 0) {
            throw new IOException("the stream ended without a usage chunk");
        }
        return new double[] {(System.nanoTime() - t0) / 1e9, first < 0 ? (System.nanoTime() - t0) / 1e9 : first, tokens};
    }

    /** {@code jvlm_decode_batch_size}'s sum and count from /metrics. */
    private static double[] batchSizeSumAndCount(VlmServer server, HttpClient http) {
        try {
            String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            double[] sumCount = new double[2];
            for (String line : metrics.lines().toList()) {
                if (line.startsWith("jvlm_decode_batch_size_sum ")) {
                    sumCount[0] = Double.parseDouble(line.substring(line.indexOf(' ') + 1));
                } else if (line.startsWith("jvlm_decode_batch_size_count ")) {
                    sumCount[1] = Double.parseDouble(line.substring(line.indexOf(' ') + 1));
                }
            }
            return sumCount;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(double[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }
}
