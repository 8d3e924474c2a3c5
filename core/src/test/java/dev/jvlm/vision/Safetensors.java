package dev.jvlm.vision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A minimal reader of the safetensors fixtures: an 8-byte little-endian header length, the JSON
 * header naming each tensor's dtype, shape and byte range, then the raw little-endian data.
 */
final class Safetensors {

    record Entry(String dtype, int[] shape, ByteBuffer data) {
    }

    private final Map<String, Entry> entries = new LinkedHashMap<>();

    private Safetensors(byte[] file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = b.getLong();
        JsonNode header = new ObjectMapper().readTree(new String(file, 8, (int) headerLength, StandardCharsets.UTF_8));
        int dataStart = 8 + (int) headerLength;
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            JsonNode t = e.getValue();
            int[] shape = new int[t.get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = t.get("shape").get(i).intValue();
            }
            int begin = t.get("data_offsets").get(0).intValue();
            int end = t.get("data_offsets").get(1).intValue();
            ByteBuffer data = ByteBuffer.wrap(file, dataStart + begin, end - begin).slice().order(ByteOrder.LITTLE_ENDIAN);
            entries.put(e.getKey(), new Entry(t.get("dtype").textValue(), shape, data));
        }
    }

    static Safetensors read(Path file) throws IOException {
        return new Safetensors(Files.readAllBytes(file));
    }

    boolean has(String name) {
        return entries.containsKey(name);
    }

    Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException("no tensor " + name + " in fixture; has " + entries.keySet());
        }
        return e;
    }

    float[] floats(String name) {
        Entry e = entry(name);
        if (!e.dtype().equals("F32")) {
            throw new IllegalArgumentException(name + " is " + e.dtype() + ", not F32");
        }
        float[] out = new float[e.data().remaining() / 4];
        e.data().duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    /** Integer tensors (I64, or BOOL / U8 as one byte each) widened to long. */
    long[] longs(String name) {
        Entry e = entry(name);
        ByteBuffer d = e.data().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        return switch (e.dtype()) {
            case "I64" -> {
                long[] out = new long[d.remaining() / 8];
                d.asLongBuffer().get(out);
                yield out;
            }
            case "BOOL", "U8" -> {
                long[] out = new long[d.remaining()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = d.get(i) & 0xFF;
                }
                yield out;
            }
            default -> throw new IllegalArgumentException(name + " is " + e.dtype() + ", not an integer tensor");
        };
    }
}
