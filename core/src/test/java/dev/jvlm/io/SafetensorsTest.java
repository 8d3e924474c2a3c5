package dev.jvlm.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvlm.JvlmException;
import dev.jvlm.tensor.DType;
import dev.jvlm.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir
    Path dir;

    @Test
    void writesAndMapsBackEveryDtype() {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("a", Tensor.of(new float[] {1.5f, -2f, 3.25f, 0f, 7f, 8f}, 2, 3));
        tensors.put("b", Tensor.of(new float[] {1f, 0.333f, -65504f}, 3).to(DType.BF16));
        tensors.put("c", Tensor.of(new float[] {0.5f, 2f}, 2).to(DType.F16));
        tensors.put("ids", Tensor.ofLongs(new long[] {1, -2, 1L << 40}, 3));
        Path file = dir.resolve("t.safetensors");
        Safetensors.write(file, tensors, Map.of("producer", "test"));
        Safetensors.File f = Safetensors.open(file);
        assertEquals("test", f.metadata().get("producer"));
        assertArrayEquals(new int[] {2, 3}, f.get("a").shape());
        assertEquals(3.25f, f.get("a").getFloat(2));
        assertEquals(DType.BF16, f.get("b").dtype());
        assertEquals(Tensor.bf16ToFloat(Tensor.floatToBf16(0.333f)), f.get("b").getFloat(1));
        assertEquals(2f, f.get("c").getFloat(1));
        assertArrayEquals(new long[] {1, -2, 1L << 40}, f.get("ids").toLongs());
        assertEquals(0, (8 + headerLength(file)) % 8, "data starts 8-byte aligned");
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temporary file left behind");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static long headerLength(Path file) {
        try {
            return ByteBuffer.wrap(Files.readAllBytes(file), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private Path raw(String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path p = dir.resolve("bad.safetensors");
        Files.write(p, b.array());
        return p;
    }

    private String error(Path p) {
        return assertThrows(JvlmException.class, () -> Safetensors.open(p)).getMessage();
    }

    @Test
    void rejectsCorruptHeadersWithTheirReason() throws IOException {
        assertTrue(error(raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4))
                .contains("tensor \"x\": data_offsets [0, 8] lie outside the 4 data bytes"));
        assertTrue(error(raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8))
                .contains("tensor \"x\": data_offsets hold 8 bytes but F32[3] needs 12"));
        assertTrue(error(raw("{\"x\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8))
                .contains("tensor \"x\": dtype \"Q4\" is not supported"));
        assertTrue(error(raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"y\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8))
                .contains("tensors \"x\" and \"y\" overlap"));
        assertTrue(error(raw("[1,2]", 0)).contains("header is not a JSON object"));
        assertTrue(error(raw("{\"x\":", 0)).contains("invalid JSON"));
        assertTrue(error(raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,0]}}", 0))
                .contains("invalid dimension"));
    }

    @Test
    void rejectsTruncatedAndTinyFiles() throws IOException {
        Path good = dir.resolve("good.safetensors");
        Safetensors.write(good, Map.of("w", Tensor.zeros(64)), null);
        byte[] all = Files.readAllBytes(good);
        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, java.util.Arrays.copyOf(all, all.length - 10));
        assertTrue(error(cut).contains("lie outside"), error(cut));
        Files.write(cut, java.util.Arrays.copyOf(all, 20));
        assertTrue(error(cut).contains("corrupt safetensors header length"), error(cut));
        Files.write(cut, new byte[3]);
        assertTrue(error(cut).contains("not a safetensors file (3 bytes"), error(cut));
        assertTrue(error(dir.resolve("missing.safetensors")).endsWith("missing.safetensors: file not found"));
    }

    @Test
    void failedWriteLeavesNoFile() throws IOException {
        Path blocker = dir.resolve("blocker");
        Files.writeString(blocker, "not a directory");
        Path target = blocker.resolve("out.safetensors");
        assertThrows(JvlmException.class, () -> Safetensors.write(target, Map.of("w", Tensor.zeros(4)), null));
        assertFalse(Files.exists(target));
    }
}
