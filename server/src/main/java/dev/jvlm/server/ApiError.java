package dev.jvlm.server;

/**
 * A request the server refuses, carried to the HTTP layer as OpenAI's error object:
 * {@code {"error": {"message", "type", "param", "code"}}} with an HTTP status.
 */
final class ApiError extends RuntimeException {
    final int status;
    final String type;
    final String param;
    final String code;

    ApiError(int status, String type, String param, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** 400 for a request whose content is wrong; {@code param} names the offending field. */
    static ApiError invalid(String param, String message) {
        return new ApiError(400, "invalid_request_error", param, null, message);
    }
}
