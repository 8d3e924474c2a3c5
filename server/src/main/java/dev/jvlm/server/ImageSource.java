package dev.jvlm.server;

import dev.jvlm.io.StrictBase64;
import dev.jvlm.vision.DecodedImage;
import dev.jvlm.vision.ImageLoader;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Turns the {@code url} of an {@code image_url} content part into a decoded image: {@code data:}
 * URLs always, {@code http(s)} URLs when fetching is on, {@code file:} URLs and plain paths only when
 * local files are allowed. Every failure is a 400 naming the part.
 */
final class ImageSource {
    private final ServerOptions options;
    private final ImageLoader loader;
    private final HttpClient http;

    ImageSource(ServerOptions options) {
        this.options = options;
        this.loader = new ImageLoader(options.maxImagePixels());
        this.http = options.urlFetch()
                ? HttpClient.newBuilder().connectTimeout(options.urlFetchTimeout()).followRedirects(HttpClient.Redirect.NORMAL).build()
                : null;
    }

    DecodedImage load(String url, String param) {
        byte[] bytes;
        String name;
        if (url.startsWith("data:")) {
            bytes = dataUrlBytes(url, param);
            name = "data URL";
        } else if (url.startsWith("http://") || url.startsWith("https://")) {
            bytes = fetch(url, param);
            name = url;
        } else {
            Path file = localFile(url, param);
            bytes = readLocal(file, param);
            name = file.toString();
        }
        if (bytes.length > options.maxImageBytes()) {
            throw tooLarge(param);
        }
        try {
            return loader.decode(bytes, name);
        } catch (IOException e) {
            throw ApiError.invalid(param, e.getMessage());
        }
    }

    private byte[] dataUrlBytes(String url, String param) {
        int comma = url.indexOf(',');
        if (comma < 0 || !url.substring(0, comma).endsWith(";base64")) {
            throw ApiError.invalid(param, "image data URLs must be base64: data:image/png;base64,...");
        }
        // Base64 is 4 characters per 3 bytes: refuse before decoding what cannot fit the limit.
        if ((url.length() - comma - 1) / 4 * 3L > options.maxImageBytes() + 3) {
            throw tooLarge(param);
        }
        try {
            return StrictBase64.decode(url.substring(comma + 1));
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid(param, "invalid base64 in the image data URL (" + e.getMessage() + ")");
        }
    }

    private byte[] fetch(String url, String param) {
        if (http == null) {
            throw ApiError.invalid(param, "this server does not fetch image URLs (started with --no-url-fetch); send the image as a data: URL");
        }
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(new URI(url)).timeout(options.urlFetchTimeout()).GET().build();
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw ApiError.invalid(param, "invalid image URL: " + e.getMessage());
        }
        long deadline = System.nanoTime() + options.urlFetchTimeout().toNanos();
        try {
            // The request timeout bounds the wait for the headers; the body read is bounded below.
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                if (response.statusCode() != 200) {
                    throw ApiError.invalid(param, "fetching " + url + " answered HTTP " + response.statusCode());
                }
                // Read one byte past the limit to tell "at the limit" from "over it" without trusting Content-Length.
                int limit = Math.toIntExact(Math.min(Integer.MAX_VALUE - 8, options.maxImageBytes() + 1));
                CompletableFuture<byte[]> body = new CompletableFuture<>();
                Thread.ofVirtual().start(() -> {
                    try {
                        body.complete(in.readNBytes(limit));
                    } catch (IOException e) {
                        body.completeExceptionally(e);
                    }
                });
                // Leaving this block closes the stream, which also ends a read still waiting after a timeout.
                byte[] bytes = body.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (bytes.length > options.maxImageBytes()) {
                    throw tooLarge(param);
                }
                return bytes;
            }
        } catch (IOException | ExecutionException e) {
            throw ApiError.invalid(param, "cannot fetch " + url + ": " + reason(e instanceof ExecutionException ? e.getCause() : e));
        } catch (TimeoutException e) {
            throw ApiError.invalid(param, "fetching " + url + " took longer than " + options.urlFetchTimeout().toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiError.invalid(param, "fetching " + url + " was interrupted");
        }
    }

    /** What went wrong, for a client: the JDK's connect failures carry no message of their own. */
    private static String reason(Throwable e) {
        if (e instanceof ConnectException) {
            return "could not connect (" + (e.getMessage() != null ? e.getMessage() : "refused or unreachable") + ")";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private Path localFile(String url, String param) {
        if (!options.allowLocalFiles()) {
            throw ApiError.invalid(param, "image_url must be a data: URL" + (http != null ? " or an http(s) URL" : "")
                    + "; local files are read only when the server runs with --allow-local-files");
        }
        try {
            return url.startsWith("file:") ? Path.of(new URI(url)) : Path.of(url);
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw ApiError.invalid(param, "invalid local image path " + url + ": " + e.getMessage());
        }
    }

    private byte[] readLocal(Path file, String param) {
        try {
            if (Files.size(file) > options.maxImageBytes()) {
                throw tooLarge(param);
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw ApiError.invalid(param, "cannot read local image " + file + ": " + e);
        }
    }

    private ApiError tooLarge(String param) {
        return new ApiError(413, "invalid_request_error", param, "image_too_large",
                "image larger than the server's limit of " + options.maxImageBytes() + " bytes");
    }
}
