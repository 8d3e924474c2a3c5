package dev.jvlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code jvlm serve} and {@code jvlm bench --serve} refuse bad flags in one line before loading anything (the server itself is tested in the server module). */
class ServeCommandTest {
    @ParameterizedTest
    @CsvSource({"--port, 70000, --port must be between 0 and 65535", "--max-tokens, 0, --max-tokens must be positive",
            "--queue, -1, --queue must be positive", "--max-batch, 0, --max-batch must be positive", "--max-body-bytes, 0, --max-body-bytes must be positive"})
    void badFlagsAreNamed(String flag, String value, String message) {
        CliRunner r = CliRunner.run("serve", flag, value);
        assertEquals(1, r.exitCode());
        assertTrue(r.err().startsWith("jvlm: " + message), r.err());
    }

    @ParameterizedTest
    @CsvSource({"--clients, '4,0'", "--requests, 0", "--max-tokens, -3"})
    void theServingBenchmarkRefusesCountsBelowOne(String flag, String value) {
        CliRunner r = CliRunner.run("bench", "--serve", flag, value);
        assertEquals(1, r.exitCode());
        assertTrue(r.err().startsWith("jvlm: --clients, --requests and --max-tokens must be positive"), r.err());
    }
}
