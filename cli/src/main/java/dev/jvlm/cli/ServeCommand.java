package dev.jvlm.cli;

import dev.jvlm.JvlmException;
import dev.jvlm.api.Vlm;
import dev.jvlm.server.ServerOptions;
import dev.jvlm.server.VlmServer;
import java.io.IOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "serve", description = "Serve a model over the OpenAI chat completions API, with a playground page at /.")
final class ServeCommand implements Callable<Integer> {
    private static final ServerOptions DEFAULTS = ServerOptions.defaults();

    @Spec
    CommandSpec spec;

    @Option(names = "--model", description = "Model directory or Hub id in the local cache (default: the embedded demo model).")
    String model;

    @Option(names = "--adapter", paramLabel = "DIR", description = "PEFT LoRA adapter to apply to the model.")
    Path adapter;

    @Option(names = "--host", paramLabel = "HOST", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host = DEFAULTS.host();

    @Option(names = "--port", paramLabel = "PORT", description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port = DEFAULTS.port();

    @Option(names = "--served-model-name", paramLabel = "NAME",
            description = "Model id clients send (default: the model directory's name, or the Hub id).")
    String servedModelName;

    @Option(names = "--max-body-bytes", paramLabel = "N", description = "Largest request body (default: ${DEFAULT-VALUE}).")
    long maxBodyBytes = DEFAULTS.maxBodyBytes();

    @Option(names = "--max-image-bytes", paramLabel = "N", description = "Largest image file (default: ${DEFAULT-VALUE}).")
    long maxImageBytes = DEFAULTS.maxImageBytes();

    @Option(names = "--max-image-pixels", paramLabel = "N", description = "Largest image width x height (default: ${DEFAULT-VALUE}).")
    long maxImagePixels = DEFAULTS.maxImagePixels();

    @Option(names = "--max-images", paramLabel = "N", description = "Most images in one request (default: ${DEFAULT-VALUE}).")
    int maxImages = DEFAULTS.maxImagesPerRequest();

    @Option(names = "--max-tokens", paramLabel = "N", description = "Largest (and default) max_tokens of a request (default: ${DEFAULT-VALUE}).")
    int maxTokens = DEFAULTS.maxTokens();

    @Option(names = "--max-batch", paramLabel = "N", description = "Most requests decoded together (continuous batching) (default: ${DEFAULT-VALUE}).")
    int maxBatch = DEFAULTS.maxBatch();

    @Option(names = "--queue", paramLabel = "N", description = "Requests that may wait for a place in the batch; more get 429 (default: ${DEFAULT-VALUE}).")
    int queue = DEFAULTS.queueCapacity();

    @Option(names = "--request-timeout", paramLabel = "SECONDS", description = "Longest a request may wait and generate (default: ${DEFAULT-VALUE}).")
    long requestTimeoutSeconds = DEFAULTS.requestTimeout().toSeconds();

    @Option(names = "--no-url-fetch", description = "Refuse http(s) image URLs (data: URLs only).")
    boolean noUrlFetch;

    @Option(names = "--url-fetch-timeout", paramLabel = "SECONDS", description = "Longest an image download may take (default: ${DEFAULT-VALUE}).")
    long urlFetchTimeoutSeconds = DEFAULTS.urlFetchTimeout().toSeconds();

    @Option(names = "--allow-local-files", description = "Accept file: URLs and paths on this machine as images.")
    boolean allowLocalFiles;

    @Option(names = "--shutdown-grace", paramLabel = "SECONDS", description = "Time in-flight requests get to finish on shutdown (default: ${DEFAULT-VALUE}).")
    long shutdownGraceSeconds = DEFAULTS.shutdownGrace().toSeconds();

    @Override
    public Integer call() throws InterruptedException {
        requirePositive("--max-body-bytes", maxBodyBytes);
        requirePositive("--max-image-bytes", maxImageBytes);
        requirePositive("--max-image-pixels", maxImagePixels);
        requirePositive("--max-images", maxImages);
        requirePositive("--max-tokens", maxTokens);
        requirePositive("--max-batch", maxBatch);
        requirePositive("--queue", queue);
        requirePositive("--request-timeout", requestTimeoutSeconds);
        requirePositive("--url-fetch-timeout", urlFetchTimeoutSeconds);
        if (port < 0 || port > 65535) {
            throw new JvlmException("--port must be between 0 and 65535, got " + port);
        }
        Vlm vlm = Vlm.load(model, adapter);
        // A Hub id names the model better than its snapshot directory (a commit hash).
        String name = servedModelName != null ? servedModelName
                : model != null && !Files.isDirectory(Path.of(model)) ? model : null;
        ServerOptions options = new ServerOptions(host, port, name, maxBodyBytes, maxImageBytes, maxImagePixels, maxImages,
                maxTokens, maxBatch, queue, Duration.ofSeconds(requestTimeoutSeconds), !noUrlFetch, Duration.ofSeconds(urlFetchTimeoutSeconds),
                allowLocalFiles, Duration.ofSeconds(Math.max(0, shutdownGraceSeconds)));
        VlmServer server;
        try {
            server = VlmServer.start(vlm, options);
        } catch (BindException e) {
            throw new JvlmException("cannot listen on " + host + ":" + port + " (" + e.getMessage() + "); choose another --port");
        } catch (IOException e) {
            throw new JvlmException("cannot start the server on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "jvlm-serve-shutdown"));
        spec.commandLine().getErr().printf("jvlm: serving %s at http://%s:%d/ (OpenAI API under /v1)%n", server.modelId(), host,
                server.port());
        spec.commandLine().getErr().flush();
        server.awaitClosed();
        return 0;
    }

    private static void requirePositive(String flag, long value) {
        if (value < 1) {
            throw new JvlmException(flag + " must be positive, got " + value);
        }
    }
}
