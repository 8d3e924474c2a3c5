package dev.jvlm.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.jvlm.api.TextStream;
import dev.jvlm.api.Vlm;
import dev.jvlm.generate.Generator;
import dev.jvlm.generate.SamplingParams;
import dev.jvlm.io.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;

/**
 * An OpenAI-compatible HTTP server for one model: {@code POST /v1/chat/completions} (JSON or
 * server-sent events), {@code GET /v1/models}, {@code /health}, {@code /metrics} and the playground
 * page at {@code /}.
 *
 * <p>It runs on the JDK's own HTTP server with one virtual thread per exchange: a server that spends
 * its time in the model needs no more than HTTP/1.1 with chunked streaming, and keeping the module
 * free of a web framework keeps the launcher's jar small (see docs/SERVER.md).
 */
public final class VlmServer implements AutoCloseable {
    private static final String SSE_DONE = "data: [DONE]\n\n";
    /** Strict request parsing: anything after the JSON object is an error, as are duplicate keys. */
    private static final ObjectReader REQUEST_READER = Json.MAPPER.readerFor(JsonNode.class)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final Vlm vlm;
    private final ServerOptions options;
    private final String modelId;
    private final long created = System.currentTimeMillis() / 1000;
    private final SamplingParams defaults;
    private final ImageSource images;
    private final Metrics metrics;
    private final Scheduler scheduler;
    private final HttpServer http;
    private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean draining;

    private VlmServer(Vlm vlm, ServerOptions options) throws IOException {
        this.vlm = vlm;
        this.options = options;
        this.modelId = options.servedModelName() != null ? options.servedModelName() : vlm.dir().getFileName().toString();
        this.defaults = vlm.defaultSampling();
        this.images = new ImageSource(options);
        this.metrics = new Metrics();
        this.scheduler = new Scheduler(vlm, options.maxBatch(), options.queueCapacity(), metrics);
        this.http = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 64);
        http.setExecutor(handlers);
        http.createContext("/v1/chat/completions", this::chatCompletions);
        http.createContext("/v1/models", answering(this::models));
        http.createContext("/health", answering(this::health));
        http.createContext("/metrics", answering(this::metrics));
        http.createContext("/", answering(this::playground));
    }

    /** Starts serving {@code vlm}; {@link #close} stops. */
    public static VlmServer start(Vlm vlm, ServerOptions options) throws IOException {
        VlmServer server = new VlmServer(vlm, options);
        server.http.start();
        return server;
    }

    /** The port listened on (the one the system chose when the options asked for 0). */
    public int port() {
        return http.getAddress().getPort();
    }

    /** The model id clients send. */
    public String modelId() {
        return modelId;
    }

    /** Blocks until {@link #close} has finished. */
    public void awaitClosed() throws InterruptedException {
        closed.await();
    }

    /**
     * Graceful shutdown: new chat requests get 503 while the running and queued ones have
     * {@link ServerOptions#shutdownGrace} to finish; what remains is then cancelled and answered 503.
     */
    @Override
    public void close() {
        if (draining) {
            return;
        }
        draining = true;
        try {
            scheduler.awaitIdle(System.nanoTime() + options.shutdownGrace().toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        scheduler.cancelAll(shuttingDown());
        // A second lets handlers of cancelled requests write their last bytes.
        http.stop(1);
        scheduler.close();
        handlers.shutdownNow();
        closed.countDown();
    }

    private static ApiError shuttingDown() {
        return new ApiError(503, "server_error", null, "shutting_down", "the server is shutting down");
    }

    private void chatCompletions(HttpExchange ex) throws IOException {
        long start = System.nanoTime();
        int status = 200;
        try (ex) {
            try {
                requireMethod(ex, "POST");
                if (draining) {
                    throw shuttingDown();
                }
                ChatRequest request = ChatRequest.parse(readJson(ex), modelId, defaults, options, images);
                Scheduler.Job job = scheduler.submit(request, start + options.requestTimeout().toNanos());
                status = request.stream() ? stream(ex, job, start) : complete(ex, job, start);
            } catch (ApiError e) {
                status = e.status;
                sendError(ex, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                status = 503;
                sendError(ex, shuttingDown());
            }
        } finally {
            metrics.request(status, (System.nanoTime() - start) / 1e9);
        }
    }

    /** A non-streaming answer: one JSON object once generation is done. */
    private int complete(HttpExchange ex, Scheduler.Job job, long start) throws InterruptedException, IOException {
        TextStream text = new TextStream(vlm.tokenizer(), job.params.stopStrings());
        boolean firstToken = true;
        while (true) {
            switch (job.next()) {
                case Scheduler.Job.Failed(ApiError e) -> throw e;
                case Scheduler.Job.Token(int id) -> {
                    if (firstToken) {
                        firstToken = false;
                        metrics.firstToken((System.nanoTime() - start) / 1e9);
                    }
                    text.push(id);
                }
                case Scheduler.Job.Finished f -> {
                    Vlm.Reply reply = new Vlm.Reply(text.fullText(), f.promptTokens(), f.completionTokens(), f.reason());
                    ObjectNode body = envelope("chat.completion");
                    ObjectNode choice = body.putArray("choices").addObject();
                    choice.put("index", 0);
                    ObjectNode message = choice.putObject("message");
                    message.put("role", "assistant");
                    message.put("content", reply.text());
                    choice.putNull("logprobs");
                    choice.put("finish_reason", finishReason(reply.finishReason()));
                    body.set("usage", usage(reply));
                    send(ex, 200, "application/json", body.toString());
                    return 200;
                }
            }
        }
    }

    /**
     * A streaming answer as server-sent events: a first chunk with the role, one chunk per text piece,
     * a last chunk with the finish reason, the usage chunk when asked, then {@code [DONE]}. Errors
     * before the first token are plain HTTP errors; later ones an {@code error} event. A failed write
     * means the client left, and cancels the generation.
     */
    private int stream(HttpExchange ex, Scheduler.Job job, long start) throws InterruptedException {
        Scheduler.Job.Event first = job.next();
        if (first instanceof Scheduler.Job.Failed(ApiError e)) {
            throw e;
        }
        metrics.firstToken((System.nanoTime() - start) / 1e9);
        String id = "chatcmpl-" + UUID.randomUUID();
        boolean usage = job.request.includeUsage();
        TextStream text = new TextStream(vlm.tokenizer(), job.params.stopStrings());
        try {
            ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            ex.getResponseHeaders().set("Cache-Control", "no-cache");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            ObjectNode roleDelta = Json.MAPPER.createObjectNode().put("role", "assistant").put("content", "");
            event(out, chunk(id, roleDelta, null, usage));
            for (Scheduler.Job.Event e = first; ; e = job.next()) {
                switch (e) {
                    case Scheduler.Job.Token(int token) -> {
                        String piece = text.push(token);
                        if (!piece.isEmpty()) {
                            event(out, chunk(id, Json.MAPPER.createObjectNode().put("content", piece), null, usage));
                        }
                    }
                    case Scheduler.Job.Finished f -> {
                        String rest = text.finish();
                        if (!rest.isEmpty()) {
                            event(out, chunk(id, Json.MAPPER.createObjectNode().put("content", rest), null, usage));
                        }
                        event(out, chunk(id, Json.MAPPER.createObjectNode(), finishReason(f.reason()), usage));
                        if (usage) {
                            ObjectNode usageChunk = envelope("chat.completion.chunk", id);
                            usageChunk.putArray("choices");
                            usageChunk.set("usage", usage(new Vlm.Reply(text.fullText(), f.promptTokens(), f.completionTokens(),
                                    f.reason())));
                            event(out, usageChunk);
                        }
                        write(out, SSE_DONE);
                        return 200;
                    }
                    case Scheduler.Job.Failed(ApiError err) -> {
                        event(out, errorBody(err));
                        return err.status;
                    }
                }
            }
        } catch (IOException | UncheckedIOException e) {
            job.cancel(new ApiError(499, "client_closed_request", null, null, "the client closed the connection"));
            return 499;
        }
    }

    private ObjectNode chunk(String id, ObjectNode delta, String finishReason, boolean includeUsage) {
        ObjectNode chunk = envelope("chat.completion.chunk", id);
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("delta", delta);
        choice.putNull("logprobs");
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        if (includeUsage) {
            // With include_usage, OpenAI marks every chunk but the last with "usage": null.
            chunk.putNull("usage");
        }
        return chunk;
    }

    private ObjectNode envelope(String object) {
        return envelope(object, "chatcmpl-" + UUID.randomUUID());
    }

    private ObjectNode envelope(String object, String id) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("id", id);
        o.put("object", object);
        o.put("created", System.currentTimeMillis() / 1000);
        o.put("model", modelId);
        return o;
    }

    private static ObjectNode usage(Vlm.Reply reply) {
        ObjectNode usage = Json.MAPPER.createObjectNode();
        usage.put("prompt_tokens", reply.promptTokens());
        usage.put("completion_tokens", reply.completionTokens());
        usage.put("total_tokens", reply.promptTokens() + reply.completionTokens());
        return usage;
    }

    private static String finishReason(Generator.FinishReason reason) {
        return reason == Generator.FinishReason.LENGTH ? "length" : "stop";
    }

    private static void event(OutputStream out, JsonNode data) throws IOException {
        write(out, "data: " + data + "\n\n");
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        // Flush per event: the client sees each token at once, and a closed connection fails here.
        out.flush();
    }

    private JsonNode readJson(HttpExchange ex) throws IOException {
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        if (length != null && length.matches("\\d{1,18}") && Long.parseLong(length) > options.maxBodyBytes()) {
            drain(ex.getRequestBody());
            throw bodyTooLarge();
        }
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, options.maxBodyBytes() + 1));
            if (body.length > options.maxBodyBytes()) {
                drain(in);
                throw bodyTooLarge();
            }
        }
        if (body.length == 0) {
            throw ApiError.invalid(null, "empty request body; expected a JSON object");
        }
        try {
            return REQUEST_READER.readValue(body);
        } catch (JsonProcessingException e) {
            throw ApiError.invalid(null, "the request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /**
     * Reads and drops what is left of a request body refused for its size, up to {@link #DRAIN_BYTES}:
     * a connection closed while the client is still sending is reset, and the client then sees a
     * broken connection instead of the 413. Beyond that the connection is closed as it is.
     */
    private static void drain(InputStream in) throws IOException {
        byte[] sink = new byte[64 * 1024];
        for (long left = DRAIN_BYTES; left > 0; ) {
            int n = in.read(sink, 0, (int) Math.min(sink.length, left));
            if (n < 0) {
                return;
            }
            left -= n;
        }
    }

    private static final long DRAIN_BYTES = 32L << 20;

    private ApiError bodyTooLarge() {
        return new ApiError(413, "invalid_request_error", null, "request_too_large",
                "the request body is larger than the server's limit of " + options.maxBodyBytes() + " bytes");
    }

    /** A handler that closes the exchange and answers {@link ApiError}s as error JSON. */
    private static HttpHandler answering(Endpoint endpoint) {
        return ex -> {
            try (ex) {
                try {
                    endpoint.serve(ex);
                } catch (ApiError e) {
                    sendError(ex, e);
                }
            }
        };
    }

    @FunctionalInterface
    private interface Endpoint {
        void serve(HttpExchange ex) throws IOException;
    }

    private void models(HttpExchange ex) throws IOException {
        requireMethod(ex, "GET");
        String path = ex.getRequestURI().getPath();
        if (path.equals("/v1/models") || path.equals("/v1/models/")) {
            ObjectNode body = Json.MAPPER.createObjectNode().put("object", "list");
            body.putArray("data").add(modelObject());
            send(ex, 200, "application/json", body.toString());
        } else if (path.equals("/v1/models/" + modelId)) {
            send(ex, 200, "application/json", modelObject().toString());
        } else {
            throw modelNotFound(path.substring("/v1/models/".length()), null);
        }
    }

    private ObjectNode modelObject() {
        return Json.MAPPER.createObjectNode().put("id", modelId).put("object", "model").put("created", created)
                .put("owned_by", "jvlm");
    }

    static ApiError modelNotFound(String model, String param) {
        return new ApiError(404, "invalid_request_error", param, "model_not_found",
                "the model \"" + model + "\" does not exist on this server");
    }

    private void health(HttpExchange ex) throws IOException {
        requireMethod(ex, "GET");
        String status = draining ? "shutting_down" : "ok";
        send(ex, draining ? 503 : 200, "application/json", Json.MAPPER.createObjectNode().put("status", status).toString());
    }

    private void metrics(HttpExchange ex) throws IOException {
        requireMethod(ex, "GET");
        send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.render(scheduler.queueDepth(), scheduler.runningCount(),
                options.maxBatch(), scheduler.cacheBytes()));
    }

    private void playground(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        if (!path.equals("/") && !path.equals("/index.html")) {
            throw new ApiError(404, "invalid_request_error", null, "not_found", "no such endpoint: " + path);
        }
        requireMethod(ex, "GET");
        try (InputStream page = VlmServer.class.getResourceAsStream("playground.html")) {
            send(ex, 200, "text/html; charset=utf-8", new String(page.readAllBytes(), StandardCharsets.UTF_8)
                    .replace("{{MODEL}}", modelId));
        }
    }

    private static void requireMethod(HttpExchange ex, String method) {
        if (!ex.getRequestMethod().equals(method)) {
            ex.getResponseHeaders().set("Allow", method);
            throw new ApiError(405, "invalid_request_error", null, "method_not_allowed",
                    ex.getRequestMethod() + " is not allowed on " + ex.getRequestURI().getPath() + "; use " + method);
        }
    }

    private static ObjectNode errorBody(ApiError e) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("message", e.getMessage());
        error.put("type", e.type);
        error.put("param", e.param);
        error.put("code", e.code);
        return body;
    }

    private static void sendError(HttpExchange ex, ApiError e) throws IOException {
        if (e.status == 429) {
            // One request takes seconds; a client that backs off this long finds room more often than not.
            ex.getResponseHeaders().set("Retry-After", "1");
        }
        send(ex, e.status, "application/json", errorBody(e).toString());
    }

    private static void send(HttpExchange ex, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
